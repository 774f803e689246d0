import Link from "next/link";

export default function NotFound() {
  return (
    <main id="main-content" tabIndex={-1} className="flex min-h-[60vh] flex-col items-center justify-center gap-3 px-4 text-center">
      <p className="text-sm font-semibold text-slate-500">404 · Not found</p>
      <h1 className="text-xl font-semibold">There is nothing at this address</h1>
      <p className="max-w-md text-sm text-slate-600">The record may not exist, or the link may be mistyped.</p>
      <Link href="/" className="text-sm font-medium text-sky-700 hover:underline">
        Back to the overview
      </Link>
    </main>
  );
}
