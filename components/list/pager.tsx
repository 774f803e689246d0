import Link from "next/link";

import { formatCount } from "@/lib/format";

// The list kit's pager (issue 18 item 10): where this page sits in the total, and links to the pages around it.
// Offset lists pass page/pageCount; keyset lists (error log, audit log) pass their position from two counts and
// cursor links (before/after), with no page number.
export function Pager({
  total,
  totalIsCapped = false,
  unit,
  first,
  last,
  previousHref,
  nextHref,
  page,
  pageCount,
}: {
  total: number;
  totalIsCapped?: boolean;
  /** Plural noun of the rows, e.g. "users". */
  unit: string;
  /** 1-based position of the first and last row shown (0 when none). */
  first: number;
  last: number;
  previousHref?: string | null;
  nextHref?: string | null;
  page?: number;
  pageCount?: number;
}) {
  // An empty list says so in its empty state (and its total above): no "No users" pager under it as well.
  if (last === 0 && !previousHref) return null;
  return (
    <nav aria-label="Pagination" className="mt-4 flex flex-wrap items-center justify-between gap-2 text-sm" data-testid="pager">
      <span className="text-slate-600">
        {last === 0 ? `No ${unit}` : `${formatCount(first)}–${formatCount(last)} of ${formatCount(total)}${totalIsCapped ? "+" : ""} ${unit}`}
        {page && pageCount && pageCount > 1 ? ` · page ${formatCount(page)} of ${formatCount(pageCount)}` : ""}
      </span>
      <span className="flex gap-3">
        {previousHref ? (
          <Link href={previousHref} className="text-sky-700 hover:underline">
            ← Previous
          </Link>
        ) : null}
        {nextHref ? (
          <Link href={nextHref} className="text-sky-700 hover:underline">
            Next →
          </Link>
        ) : null}
      </span>
    </nav>
  );
}
