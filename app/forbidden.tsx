import Link from "next/link";

export default function Forbidden() {
  return (
    <main id="main-content" tabIndex={-1} className="flex min-h-[60vh] flex-col items-center justify-center gap-3 px-4 text-center">
      <p className="text-sm font-semibold text-red-700">403 · Not allowed</p>
      <h1 className="text-xl font-semibold">Your role cannot open this page</h1>
      <p className="max-w-md text-sm text-slate-600">
        Ask an administrator if you need access. Every page you can open is in the navigation.
      </p>
      <Link href="/" className="text-sm font-medium text-sky-700 hover:underline">
        Back to the overview
      </Link>
    </main>
  );
}
