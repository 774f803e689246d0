"use client";

import { useActionState, useState } from "react";

import Link from "next/link";

import { Button, buttonClasses } from "@/components/ui/button";
import type { CodeFormState } from "@/lib/auth/second-factor-actions";

const inputClasses =
  "mt-1 block w-40 rounded-md border border-slate-300 px-3 py-2 font-mono text-base tracking-widest focus:border-sky-600 focus:outline-none";

/**
 * Set up an authenticator: scan the QR code (or type the key), confirm with a code, then the recovery codes are
 * shown once. They live only in this component's state.
 */
export function EnrolForm({
  action,
  qr,
  manualKey,
  continueHref,
}: {
  action: (prev: CodeFormState, formData: FormData) => Promise<CodeFormState>;
  qr: React.ReactNode;
  manualKey: string;
  continueHref: string;
}) {
  const [state, formAction, pending] = useActionState<CodeFormState, FormData>(action, { message: null });
  if (state.recoveryCodes) return <RecoveryCodes codes={state.recoveryCodes} continueHref={continueHref} />;
  return (
    <div className="space-y-5">
      <ol className="list-decimal space-y-4 pl-5 text-sm text-slate-700">
        <li>
          <p>Scan this QR code with an authenticator app (Google Authenticator, Microsoft Authenticator, 1Password, …).</p>
          <div className="mt-2 inline-block rounded-md border border-slate-200 bg-white p-2">{qr}</div>
        </li>
        <li>
          <p>Or type this key into the app (time-based, 6 digits, 30 seconds):</p>
          <div className="mt-2 flex flex-wrap items-center gap-2">
            <code className="select-all break-all rounded bg-slate-100 px-2 py-1 font-mono text-sm" data-testid="totp-manual-key">
              {manualKey}
            </code>
            <CopyButton text={manualKey.replace(/\s/g, "")} label="Copy key" />
          </div>
        </li>
        <li>
          <form action={formAction} className="space-y-2" noValidate>
            <label htmlFor="code" className="block font-medium text-slate-700">
              Enter the 6-digit code the app shows
            </label>
            <input
              id="code"
              name="code"
              inputMode="numeric"
              autoComplete="one-time-code"
              maxLength={8}
              required
              className={inputClasses}
            />
            <div aria-live="polite" className="min-h-5 text-sm text-red-700">
              {state.message}
            </div>
            <Button type="submit" disabled={pending}>
              {pending ? "Checking…" : "Confirm and turn on"}
            </Button>
          </form>
        </li>
      </ol>
    </div>
  );
}

function RecoveryCodes({ codes, continueHref }: { codes: string[]; continueHref: string }) {
  return (
    <div className="space-y-3 text-sm" role="status">
      <p className="font-medium text-emerald-800">Two-step verification is on.</p>
      <div className="rounded-md border border-amber-300 bg-amber-50 p-3 text-amber-950">
        <p className="font-medium">Your recovery codes</p>
        <p className="mt-1 text-xs">
          Each works once, instead of a code from the app, if you lose your phone. Save them somewhere safe now: they are not stored in
          readable form and will not be shown again.
        </p>
        <ul className="mt-2 grid grid-cols-2 gap-1 font-mono" aria-label="Recovery codes">
          {codes.map((c) => (
            <li key={c} data-testid="recovery-code" className="select-all">
              {c}
            </li>
          ))}
        </ul>
        <div className="mt-2">
          <CopyButton text={codes.join("\n")} label="Copy all codes" />
        </div>
      </div>
      <Link href={continueHref} className={buttonClasses("primary")}>
        I have saved my recovery codes, continue
      </Link>
    </div>
  );
}

function CopyButton({ text, label }: { text: string; label: string }) {
  const [copied, setCopied] = useState(false);
  return (
    <Button
      type="button"
      variant="secondary"
      onClick={() =>
        void navigator.clipboard.writeText(text).then(
          () => setCopied(true),
          () => setCopied(false),
        )
      }
    >
      {copied ? "Copied" : label}
    </Button>
  );
}
