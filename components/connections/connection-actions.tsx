"use client";

import { useRef, useState, useTransition } from "react";
import { useRouter } from "next/navigation";

import type { LiveJobSteps } from "@/components/jobs/live-job-steps";
import { Button } from "@/components/ui/button";
import { CopyButton } from "@/components/ui/copy-button";
import { useToast } from "@/components/ui/toast";
import type { ActionResult } from "@/lib/actions/result";
import { RECENT_SIGN_IN_MS } from "@/lib/dal/purge-policy";
import type { RefreshBudgetDTO } from "@/lib/dal/refresh";

interface Props {
  userId: string;
  connectionId: string;
  status: string;
  budget: RefreshBudgetDTO | null;
  canPurge: boolean;
  /** When the caller signed in (epoch ms): a sign-in older than 15 minutes makes the purge dialog ask for the password. */
  signedInAt: number;
  /** The user's name, when known (the dialog names who is affected). */
  personName: string | null;
  /** The bank's name (or the institution id when unknown). */
  bankName: string;
  refresh: ((input: { userId: string; connectionId: string }) => Promise<ActionResult<{ jobId: string; joined: boolean; budget: RefreshBudgetDTO }>>) | null;
  purge: ((input: { userId: string; connectionId: string; confirm: string; password?: string }) => Promise<ActionResult<unknown>>) | null;
  /** Why every action that needs Basiq is off right now (Basiq unreachable), shown beside them. */
  unavailable?: string | null;
  /** Why a purge is off: the data was already purged and no refresh brought data back. */
  purgeBlocked?: string | null;
}

export function ConnectionActions(props: Props) {
  const router = useRouter();
  const toast = useToast();
  const [budget, setBudget] = useState(props.budget);
  const [jobId, setJobId] = useState<string | null>(null);
  // The live steps (react-query polling) are needed only after "Refresh now": imported then, alongside the action,
  // not on the page's first load (issue 15). Should that import fail, the steps are not shown; the toast and the
  // job history (refreshed below) still say the refresh started.
  const [LiveSteps, setLiveSteps] = useState<typeof LiveJobSteps | null>(null);
  const [refreshing, startRefresh] = useTransition();
  const exhausted = budget?.limited && budget.used >= budget.limit;

  return (
    <div className="space-y-3">
      {props.unavailable ? (
        <p className="text-sm text-amber-800" data-testid="actions-unavailable">
          {props.unavailable}
        </p>
      ) : null}
      {props.refresh && budget ? (
        <div className="space-y-2 text-sm">
          <div className="flex flex-wrap items-center gap-3">
            <Button
              variant="secondary"
              disabled={refreshing || !!exhausted || props.status !== "active" || !!props.unavailable}
              title={props.unavailable ?? (props.status !== "active" ? "Basiq refreshes only active connections" : undefined)}
              onClick={() =>
                startRefresh(async () => {
                  if (!LiveSteps) {
                    import("@/components/jobs/live-job-steps").then(
                      (m) => setLiveSteps(() => m.LiveJobSteps),
                      () => undefined,
                    );
                  }
                  const r = await props.refresh!({ userId: props.userId, connectionId: props.connectionId });
                  if (r.ok) {
                    setJobId(r.data.jobId);
                    setBudget(r.data.budget);
                    toast("success", r.message ?? "Refresh started.");
                  } else {
                    toast("error", r.message);
                  }
                  router.refresh();
                })
              }
            >
              {refreshing ? "Starting refresh…" : "Refresh now"}
            </Button>
            <span className="text-slate-600" data-testid="refresh-budget">
              {budget.limited
                ? `${budget.used} of ${budget.limit} refreshes used in the last 24 h (open banking, every app using this Basiq key).`
                : `${budget.used} ad-hoc refreshes in the last 24 h.`}
            </span>
          </div>
          <p className="text-xs text-slate-500">
            Basiq&apos;s smart cache already refreshes every connection daily; refresh by hand only to check a fix (ad-hoc refreshes load the
            bank{budget.limited ? " and open-banking connections allow 20 a day" : ""}).
          </p>
          {jobId && LiveSteps ? <LiveSteps jobId={jobId} /> : null}
        </div>
      ) : null}
      {props.canPurge && props.purge ? (
        <PurgeDialog {...props} purge={props.purge} onDone={() => router.refresh()} />
      ) : null}
    </div>
  );
}

function PurgeDialog({
  userId,
  connectionId,
  status,
  signedInAt,
  personName,
  bankName,
  purge,
  onDone,
  unavailable,
  purgeBlocked,
}: Props & { purge: NonNullable<Props["purge"]>; onDone: () => void }) {
  const dialog = useRef<HTMLDialogElement>(null);
  const [typed, setTyped] = useState("");
  const [password, setPassword] = useState("");
  const [error, setError] = useState<string | null>(null);
  // Decided when the dialog opens and again on submit (the page may have been open for a while): a sign-in older
  // than 15 minutes (a minute early, so a slow submit does not cross the line) shows the password field here.
  const [purgeNeedsPassword, setPurgeNeedsPassword] = useState(false);
  const [pending, startTransition] = useTransition();
  const toast = useToast();
  const matches = typed.trim() === connectionId;
  const signInIsStale = () => Date.now() - signedInAt > RECENT_SIGN_IN_MS - 60_000;
  const reset = () => {
    setTyped("");
    setPassword("");
    setError(null);
  };
  const who = personName ? `${personName}'s` : "this user's";

  return (
    <>
      <Button
        variant="danger"
        onClick={() => {
          reset();
          setPurgeNeedsPassword(signInIsStale());
          dialog.current?.showModal();
        }} disabled={status !== "active" || !!unavailable || !!purgeBlocked} title={unavailable ?? purgeBlocked ?? (status !== "active" ? "Only active connections can be purged" : undefined)}>
        Purge data…
      </Button>
      <dialog
        ref={dialog}
        aria-labelledby="purge-title"
        onClose={reset}
        className="m-auto w-full max-w-lg rounded-lg bg-white p-0 text-slate-900 backdrop:bg-slate-900/50"
      >
        <form
          className="space-y-4 p-6"
          onSubmit={(e) => {
            e.preventDefault();
            if (!matches) return;
            setError(null);
            if (!purgeNeedsPassword && signInIsStale()) {
              setPurgeNeedsPassword(true);
              setError("Your sign-in is now more than 15 minutes old: enter your password below to confirm it is you.");
              return;
            }
            startTransition(async () => {
              const r = await purge({ userId, connectionId, confirm: typed.trim(), ...(purgeNeedsPassword ? { password } : {}) });
              if (r.ok) {
                toast("success", r.message ?? "Purged.");
                dialog.current?.close();
                onDone();
              } else {
                setError(r.message + (r.fieldErrors ? ` ${Object.values(r.fieldErrors).flat().join(" ")}` : ""));
                toast("error", r.message);
              }
            });
          }}
        >
          <h2 id="purge-title" className="text-lg font-semibold text-red-800">
            Purge {who} {bankName} data?
          </h2>
          <p className="text-sm text-slate-700" data-testid="purge-subject">
            {personName ?? "Unknown user"} · {bankName} · connection <code className="text-xs">{connectionId}</code>
          </p>
          <ul className="list-disc space-y-1 pl-5 text-sm text-slate-700">
            <li>All accounts and transactions fetched through this connection are permanently deleted at Basiq.</li>
            <li>The connection id stays: the connection can be refreshed later to fetch the data again.</li>
            <li>
              <strong>This cannot be undone.</strong> It is recorded in the audit log under your name.
            </li>
          </ul>
          <div className="text-sm">
            <label htmlFor="purge-confirm">
              Type the connection id <code className="select-all rounded bg-slate-100 px-1 text-xs">{connectionId}</code> to confirm
            </label>
            <div className="mt-1 flex items-center gap-2">
              <input
                id="purge-confirm"
                className="block w-full rounded-md border border-slate-300 bg-white px-3 py-2 font-mono text-xs"
                value={typed}
                onChange={(e) => setTyped(e.target.value)}
                autoComplete="off"
                spellCheck={false}
                aria-label="Connection id to confirm"
              />
              <CopyButton value={connectionId} label="Copy connection id" />
            </div>
          </div>
          {purgeNeedsPassword ? (
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
            <Button type="submit" variant="danger" disabled={!matches || pending || (purgeNeedsPassword && !password)}>
              {pending ? "Purging…" : "Purge permanently"}
            </Button>
          </div>
        </form>
      </dialog>
    </>
  );
}
