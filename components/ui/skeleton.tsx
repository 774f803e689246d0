import { cn } from "@/lib/utils";

export function Skeleton({ className }: { className?: string }) {
  return <div aria-hidden className={cn("animate-pulse rounded bg-slate-200", className)} />;
}

/** A table's loading state: `rows` bars, each drawn as `columns` cells by one element (.skeleton-row in globals.css). */
export function TableSkeleton({ rows = 8, columns = 5 }: { rows?: number; columns?: number }) {
  return (
    <div role="status" aria-label="Loading" className="space-y-4 rounded-lg border border-slate-200 bg-white px-3 py-5">
      {/* First: space-y spaces every child but the last, so the bars' spacing stays even. */}
      <span className="sr-only">Loading…</span>
      {Array.from({ length: rows }, (_, r) => (
        <div
          key={r}
          aria-hidden
          className="skeleton-row h-4 animate-pulse rounded bg-slate-200"
          style={{ "--columns": columns } as React.CSSProperties}
        />
      ))}
    </div>
  );
}
