import { cn } from "@/lib/utils";

// Plain, accessible table primitives. Tables scroll horizontally inside their own box on narrow screens; that box is
// a labelled region in the tab order, so keyboard users can scroll it too (axe: scrollable-region-focusable).
export function Table({ children, className, label }: { children: React.ReactNode; className?: string; label: string }) {
  return (
    <div
      role="region"
      aria-label={label}
      tabIndex={0}
      // relative: absolutely positioned children (the sort headers' sr-only text) belong to this scroll box, not the page
      className={cn("relative overflow-x-auto rounded-lg border border-slate-200 bg-white", className)}
    >
      <table className="w-full border-collapse text-left text-sm">{children}</table>
    </div>
  );
}

export function Th({
  children,
  className,
  ariaSort,
}: {
  children?: React.ReactNode;
  className?: string;
  ariaSort?: "ascending" | "descending" | "none";
}) {
  return (
    <th scope="col" aria-sort={ariaSort} className={cn("whitespace-nowrap border-b border-slate-200 bg-slate-50 px-3 py-2 text-xs font-semibold uppercase tracking-wide text-slate-600", className)}>
      {children}
    </th>
  );
}

export function Td({ children, className, colSpan }: { children?: React.ReactNode; className?: string; colSpan?: number }) {
  return (
    <td colSpan={colSpan} className={cn("border-b border-slate-100 px-3 py-2 align-top", className)}>
      {children}
    </td>
  );
}

export function EmptyRow({ colSpan, children }: { colSpan: number; children: React.ReactNode }) {
  return (
    <tr>
      <td colSpan={colSpan} className="px-3 py-10 text-center text-sm text-slate-600">
        {children}
      </td>
    </tr>
  );
}
