"use client";

import { Button } from "@/components/ui/button";

export default function SecondFactorError({ error, reset }: { error: Error & { digest?: string }; reset: () => void }) {
  return (
    <main id="main-content" tabIndex={-1} className="flex min-h-screen items-center justify-center px-4">
      <div role="alert" className="w-full max-w-md rounded-lg border border-red-200 bg-white p-6 text-center">
        <h1 className="text-lg font-semibold">Two-step verification could not be shown</h1>
        <p className="mt-2 text-sm text-slate-600">
          Try again; if it keeps failing, give an administrator this reference: <code>{error.digest ?? "none"}</code>.
        </p>
        <div className="mt-4 flex justify-center gap-2">
          <Button onClick={() => reset()}>Try again</Button>
          <a href="/login" className="px-3 py-2 text-sm text-slate-600 underline">
            Back to sign-in
          </a>
        </div>
      </div>
    </main>
  );
}
