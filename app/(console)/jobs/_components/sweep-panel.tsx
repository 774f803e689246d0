"use client";

import { useQuery, useQueryClient } from "@tanstack/react-query";
import { useState, useTransition } from "react";

import { Button } from "@/components/ui/button";
import { Card, CardTitle } from "@/components/ui/card";
import { useToast } from "@/components/ui/toast";
import type { SweepStatusDTO } from "@/lib/dal/sweep";
import { DateTime } from "@/components/ui/date-time";
import { formatCount } from "@/lib/format";

import { startSweepAction } from "../actions";

const sweepKey = ["jobs", "sweep"] as const;

async function fetchStatus(): Promise<SweepStatusDTO> {
  const res = await fetch("/api/jobs/sweep", { cache: "no-store" });
  if (!res.ok) throw new Error(`HTTP ${res.status}`);
  return (await res.json()) as SweepStatusDTO;
}

/** Admins: the job sweep's last runs and a "run now" button with live progress. */
export function SweepPanel({ timeZone }: { timeZone: string }) {
  const queryClient = useQueryClient();
  const toast = useToast();
  const [pending, startTransition] = useTransition();
  // After "Run sweep now", keep polling until the new run shows up: the server starts it in the background.
  const [waitingForRunAfter, setWaitingForRunAfter] = useState<number | null>(null);
  const { data, isError } = useQuery({
    queryKey: sweepKey,
    queryFn: fetchStatus,
    refetchInterval: (q) => {
      const d = q.state.data;
      if (d?.running) return 1000;
      const newRunSeen = waitingForRunAfter !== null && d?.recent.some((r) => (r.finishedAt ?? "") >= new Date(waitingForRunAfter).toISOString());
      return waitingForRunAfter !== null && !newRunSeen ? 1000 : false;
    },
  });
  const last = data?.recent[0];
  const percent = data?.running && data.usersTotal > 0 ? Math.round((data.usersChecked / data.usersTotal) * 100) : 0;
  return (
    <Card className="mb-4">
      <CardTitle
        action={
          <Button
            variant="secondary"
            disabled={pending || data?.running}
            onClick={() =>
              startTransition(async () => {
                setWaitingForRunAfter(Date.now());
                const r = await startSweepAction({});
                if (!r.ok) setWaitingForRunAfter(null);
                toast(r.ok ? "info" : "error", r.ok ? (r.message ?? "Sweep started.") : r.message);
                await queryClient.invalidateQueries({ queryKey: sweepKey });
              })
            }
          >
            {data?.running ? "Sweep running…" : "Run sweep now"}
          </Button>
        }
      >
        Job sweep
      </CardTitle>
      {isError ? <p className="text-sm text-red-700">Sweep status unavailable.</p> : null}
      {data?.running ? (
        <div data-testid="sweep-progress">
          <div className="h-2 w-full overflow-hidden rounded bg-slate-200" role="progressbar" aria-valuenow={percent} aria-valuemin={0} aria-valuemax={100}>
            <div className="h-full bg-sky-600 transition-all" style={{ width: `${percent}%` }} />
          </div>
          <p className="mt-1 text-sm text-slate-600">
            {formatCount(data.usersChecked)} of {formatCount(data.usersTotal)} users checked ({data.batchesDone} of{" "}
            {data.batchesTotal} batches, {data.instances} {data.instances === 1 ? "instance" : "instances"})
          </p>
        </div>
      ) : last ? (
        <p className="text-sm text-slate-600" data-testid="sweep-last">
          Last run {last.status} ({last.trigger}) <DateTime value={last.finishedAt ?? last.startedAt} timeZone={timeZone} />: {last.usersChecked} users,{" "}
          {last.jobsNew} new jobs, {last.newFailures} new failures, {last.errors} errors.
          {last.status === "failed" && last.message ? <span className="block text-red-700">{last.message}</span> : null}
        </p>
      ) : (
        <p className="text-sm text-slate-600">No sweep has run yet.</p>
      )}
    </Card>
  );
}
