import Link from "next/link";

import { Th } from "@/components/ui/table";
import { cn } from "@/lib/utils";

// A clickable column header (issue 18 item 10): a link to the same list sorted by this column, or, when it already
// is, in the reverse order. aria-sort tells screen readers which column sorts the table.
export function SortHeader({
  label,
  sorted,
  reversed,
  href,
  reverseHref,
  naturalOrder,
  className,
}: {
  label: string;
  /** This column sorts the list now. */
  sorted: boolean;
  reversed: boolean;
  /** The list sorted by this column (its natural order). */
  href: string;
  /** The list sorted by this column, reversed. */
  reverseHref: string;
  /** Which way the column's natural order runs, for aria-sort. */
  naturalOrder: "ascending" | "descending";
  className?: string;
}) {
  const flipped = naturalOrder === "ascending" ? "descending" : "ascending";
  const current = sorted ? (reversed ? flipped : naturalOrder) : undefined;
  const arrow = current === "ascending" ? "↑" : current === "descending" ? "↓" : "↕";
  return (
    <Th className={className} ariaSort={current ?? "none"}>
      <Link
        href={sorted && !reversed ? reverseHref : href}
        scroll={false}
        className={cn("inline-flex items-center gap-1 hover:text-slate-900 hover:underline", sorted && "text-slate-900")}
      >
        {label}
        <span aria-hidden>{arrow}</span>
        <span className="sr-only">{sorted ? `, sorted ${current}; activate to reverse` : ", activate to sort"}</span>
      </Link>
    </Th>
  );
}
