import { Skeleton, TableSkeleton } from "@/components/ui/skeleton";

export default function Loading() {
  return (
    <div>
      <Skeleton className="mb-2 h-4 w-16" />
      <Skeleton className="mb-6 h-7 w-64" />
      <div className="grid gap-4 lg:grid-cols-3">
        <Skeleton className="h-48" />
        <div className="lg:col-span-2">
          <TableSkeleton rows={3} columns={5} />
        </div>
      </div>
    </div>
  );
}
