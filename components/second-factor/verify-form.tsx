"use client";

import { useActionState } from "react";

import { Button } from "@/components/ui/button";
import type { CodeFormState } from "@/lib/auth/second-factor-actions";

/** The code asked for at sign-in: 6 digits from the app, or one of the recovery codes. */
export function VerifyForm({
  action,
  callbackUrl,
}: {
  action: (prev: CodeFormState, formData: FormData) => Promise<CodeFormState>;
  callbackUrl: string;
}) {
  const [state, formAction, pending] = useActionState<CodeFormState, FormData>(action, { message: null });
  return (
    <form action={formAction} className="space-y-3" noValidate>
      <input type="hidden" name="callbackUrl" value={callbackUrl} />
      <div>
        <label htmlFor="code" className="block text-sm font-medium text-slate-700">
          Code
        </label>
        <input
          id="code"
          name="code"
          autoComplete="one-time-code"
          autoFocus
          maxLength={16}
          required
          className="mt-1 block w-full rounded-md border border-slate-300 px-3 py-2 font-mono text-base tracking-widest focus:border-sky-600 focus:outline-none"
        />
        <p className="mt-1 text-xs text-slate-500">The 6 digits from your authenticator app, or one of your recovery codes.</p>
      </div>
      <div aria-live="polite" className="min-h-5 text-sm text-red-700">
        {state.message}
      </div>
      <Button type="submit" className="w-full" disabled={pending}>
        {pending ? "Checking…" : "Verify"}
      </Button>
    </form>
  );
}
