import { Skeleton } from "@/components/ui/skeleton";

export default function Loading() {
  return (
    <main className="flex min-h-screen items-center justify-center px-4" role="status" aria-label="Loading">
      <div className="w-full max-w-md rounded-lg border border-slate-200 bg-white p-6 shadow-sm">
        <Skeleton className="mb-4 h-6 w-56" />
        <Skeleton className="mb-2 h-4 w-full" />
        <Skeleton className="mb-6 h-4 w-2/3" />
        <Skeleton className="mb-4 h-48 w-48" />
        <Skeleton className="h-9 w-40" />
        <span className="sr-only">Loading…</span>
      </div>
    </main>
  );
}
