"use client";

import { useRouter } from "next/navigation";
import { useRef, useState, useTransition } from "react";

import { Button } from "@/components/ui/button";
import { useToast } from "@/components/ui/toast";
import type { ActionResult } from "@/lib/actions/result";
import { RECENT_SIGN_IN_MS } from "@/lib/dal/purge-policy";

interface Props {
  userId: string;
  consentId: string;
  signedInAt: number;
  revoke: (input: { userId: string; consentId: string; confirm: string; password?: string }) => Promise<ActionResult<unknown>>;
}

/** Admin only: revoke the consent at Basiq, after typing its id (and the password past a 15-minute-old sign-in). */
export function RevokeConsentButton({ userId, consentId, signedInAt, revoke }: Props) {
  const router = useRouter();
  const toast = useToast();
  const dialog = useRef<HTMLDialogElement>(null);
  const [typed, setTyped] = useState("");
  const [password, setPassword] = useState("");
  const [needsPassword, setNeedsPassword] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [pending, startTransition] = useTransition();
  const matches = typed.trim() === consentId;
  const stale = () => Date.now() - signedInAt > RECENT_SIGN_IN_MS - 60_000;

  return (
    <>
      <Button
        variant="danger"
        onClick={() => {
          setTyped("");
          setPassword("");
          setError(null);
          setNeedsPassword(stale());
          dialog.current?.showModal();
        }}
      >
        Revoke consent…
      </Button>
      <dialog
        ref={dialog}
        aria-labelledby={`revoke-${consentId}`}
        className="m-auto w-full max-w-lg rounded-lg bg-white p-0 text-slate-900 backdrop:bg-slate-900/50"
      >
        <form
          className="space-y-4 p-6"
          onSubmit={(e) => {
            e.preventDefault();
            if (!matches) return;
            if (!needsPassword && stale()) {
              setNeedsPassword(true);
              setError("Your sign-in is now more than 15 minutes old: enter your password below to confirm it is you.");
              return;
            }
            startTransition(async () => {
              const r = await revoke({ userId, consentId, confirm: typed.trim(), ...(needsPassword ? { password } : {}) });
              if (r.ok) {
                toast("success", r.message ?? "Consent revoked.");
                dialog.current?.close();
                router.refresh();
              } else {
                setError(r.message + (r.fieldErrors ? ` ${Object.values(r.fieldErrors).flat().join(" ")}` : ""));
                toast("error", r.message);
              }
            });
          }}
        >
          <h2 id={`revoke-${consentId}`} className="text-lg font-semibold text-red-800">
            Revoke this consent?
          </h2>
          <ul className="list-disc space-y-1 pl-5 text-sm text-slate-700">
            <li>Basiq stops fetching this user&apos;s bank data under this consent; the user must consent again to reconnect.</li>
            <li>The console erases its copy of the user&apos;s name, e-mail and mobile.</li>
            <li>
              <strong>This cannot be undone.</strong> It is recorded in the audit log under your name.
            </li>
          </ul>
          <label className="block text-sm" htmlFor={`revoke-confirm-${consentId}`}>
            Type the consent id <code className="select-all rounded bg-slate-100 px-1 text-xs">{consentId}</code> to confirm
          </label>
          <input
            id={`revoke-confirm-${consentId}`}
            className="block w-full rounded-md border border-slate-300 bg-white px-3 py-2 font-mono text-xs"
            value={typed}
            onChange={(e) => setTyped(e.target.value)}
            autoComplete="off"
            spellCheck={false}
          />
          {needsPassword ? (
            <label className="block text-sm">
              Your password (your sign-in is more than 15 minutes old)
              <input
                type="password"
                className="mt-1 block w-full rounded-md border border-slate-300 bg-white px-3 py-2 text-sm"
                value={password}
                onChange={(e) => setPassword(e.target.value)}
                autoComplete="current-password"
              />
            </label>
          ) : null}
          <p aria-live="polite" className="min-h-5 text-sm text-red-700">
            {error}
          </p>
          <div className="flex justify-end gap-2">
            <Button type="button" variant="secondary" onClick={() => dialog.current?.close()} disabled={pending}>
              Cancel
            </Button>
            <Button type="submit" variant="danger" disabled={!matches || pending || (needsPassword && !password)}>
              {pending ? "Revoking…" : "Revoke permanently"}
            </Button>
          </div>
        </form>
      </dialog>
    </>
  );
}
