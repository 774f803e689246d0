"use client";

import { useRef, useState, useTransition } from "react";
import { useRouter } from "next/navigation";

import { LiveJobSteps } from "@/components/jobs/live-job-steps";
import { Button } from "@/components/ui/button";
import { useToast } from "@/components/ui/toast";
import type { ActionResult } from "@/lib/actions/result";
import type { RefreshBudgetDTO } from "@/lib/dal/refresh";

interface Props {
  userId: string;
  connectionId: string;
  status: string;
  budget: RefreshBudgetDTO | null;
  canPurge: boolean;
  /** The admin's sign-in is older than 15 minutes: the purge dialog asks for the password. */
  purgeNeedsPassword: boolean;
  refresh: ((input: { userId: string; connectionId: string }) => Promise<ActionResult<{ jobId: string; joined: boolean; budget: RefreshBudgetDTO }>>) | null;
  purge: ((input: { userId: string; connectionId: string; confirm: string; password?: string }) => Promise<ActionResult<unknown>>) | null;
}

export function ConnectionActions(props: Props) {
  const router = useRouter();
  const toast = useToast();
  const [budget, setBudget] = useState(props.budget);
  const [jobId, setJobId] = useState<string | null>(null);
  const [refreshing, startRefresh] = useTransition();
  const exhausted = budget?.limited && budget.used >= budget.limit;

  return (
    <div className="space-y-3">
      {props.refresh && budget ? (
        <div className="space-y-2 text-sm">
          <div className="flex flex-wrap items-center gap-3">
            <Button
              variant="secondary"
              disabled={refreshing || !!exhausted || props.status !== "active"}
              title={props.status !== "active" ? "Basiq refreshes only active connections" : undefined}
              onClick={() =>
                startRefresh(async () => {
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
          {jobId ? <LiveJobSteps jobId={jobId} /> : null}
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
  purgeNeedsPassword,
  purge,
  onDone,
}: Props & { purge: NonNullable<Props["purge"]>; onDone: () => void }) {
  const dialog = useRef<HTMLDialogElement>(null);
  const [typed, setTyped] = useState("");
  const [password, setPassword] = useState("");
  const [error, setError] = useState<string | null>(null);
  const [pending, startTransition] = useTransition();
  const toast = useToast();
  const matches = typed.trim() === connectionId;

  return (
    <>
      <Button variant="danger" onClick={() => dialog.current?.showModal()} disabled={status !== "active"} title={status !== "active" ? "Only active connections can be purged" : undefined}>
        Purge data…
      </Button>
      <dialog ref={dialog} aria-labelledby="purge-title" className="m-auto w-full max-w-lg rounded-lg p-0 backdrop:bg-slate-900/50">
        <form
          className="space-y-4 p-6"
          onSubmit={(e) => {
            e.preventDefault();
            if (!matches) return;
            setError(null);
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
            Purge this connection&apos;s data?
          </h2>
          <ul className="list-disc space-y-1 pl-5 text-sm text-slate-700">
            <li>All accounts and transactions fetched through this connection are permanently deleted at Basiq.</li>
            <li>The connection id stays: the connection can be refreshed later to fetch the data again.</li>
            <li>
              <strong>This cannot be undone.</strong> It is recorded in the audit log under your name.
            </li>
          </ul>
          <label className="block text-sm">
            Type the connection id <code className="select-all rounded bg-slate-100 px-1 text-xs">{connectionId}</code> to confirm
            <input
              className="mt-1 block w-full rounded-md border border-slate-300 px-3 py-2 font-mono text-xs"
              value={typed}
              onChange={(e) => setTyped(e.target.value)}
              autoComplete="off"
              spellCheck={false}
              aria-label="Connection id to confirm"
            />
          </label>
          {purgeNeedsPassword ? (
            <label className="block text-sm">
              Your password (your sign-in is more than 15 minutes old)
              <input
                type="password"
                className="mt-1 block w-full rounded-md border border-slate-300 px-3 py-2 text-sm"
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
