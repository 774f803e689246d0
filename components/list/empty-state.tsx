import Link from "next/link";

import { EmptyRow } from "@/components/ui/table";

// The list kit's empty state: says whether nothing matches the filters (and offers to clear them) or the list
// itself is empty (and what fills it).
export function EmptyState({
  colSpan,
  filtered,
  clearHref,
  noMatch,
  empty,
}: {
  colSpan: number;
  filtered: boolean;
  clearHref: string;
  noMatch: React.ReactNode;
  empty: React.ReactNode;
}) {
  return (
    <EmptyRow colSpan={colSpan}>
      <span data-testid="list-empty">
        {filtered ? (
          <>
            {noMatch}{" "}
            <Link href={clearHref} className="text-sky-700 hover:underline">
              Clear the filters
            </Link>
            .
          </>
        ) : (
          empty
        )}
      </span>
    </EmptyRow>
  );
}
