"use client";

import { useQuery, useQueryClient } from "@tanstack/react-query";
import { useTransition } from "react";

import { Button } from "@/components/ui/button";
import { useToast } from "@/components/ui/toast";
import type { ActionResult } from "@/lib/actions/result";
import type { SyncProgress } from "@/lib/directory/sync-all";
import { DateTime } from "@/components/ui/date-time";

const syncKey = ["directory", "sync"] as const;

async function fetchProgress(): Promise<SyncProgress> {
  const res = await fetch("/api/directory/sync", { cache: "no-store" });
  if (!res.ok) throw new Error(`HTTP ${res.status}`);
  return (await res.json()) as SyncProgress;
}

export function SyncPanel({
  startSync,
  timeZone,
}: {
  startSync: (input: Record<string, never>) => Promise<ActionResult<SyncProgress>>;
  timeZone: string;
}) {
  const queryClient = useQueryClient();
  const toast = useToast();
  const [pending, startTransition] = useTransition();
  const { data, isError } = useQuery({
    queryKey: syncKey,
    queryFn: fetchProgress,
    refetchInterval: (q) => (q.state.data?.running ? 1000 : false),
  });
  const percent = data && data.total > 0 ? Math.round((data.checked / data.total) * 100) : 0;
  return (
    <div className="space-y-3 text-sm">
      <p className="text-slate-600">
        Fetches every user in the directory again from Basiq (user and connections). Basiq is called at most 8 at a time.
      </p>
      <Button
        variant="secondary"
        disabled={pending || data?.running}
        onClick={() =>
          startTransition(async () => {
            const r = await startSync({});
            if (!r.ok) toast("error", r.message);
            await queryClient.invalidateQueries({ queryKey: syncKey });
          })
        }
      >
        {data?.running ? "Sync running…" : "Sync all users now"}
      </Button>
      {isError ? <p className="text-red-700">Progress unavailable.</p> : null}
      {data?.startedAt ? (
        <div data-testid="sync-progress">
          <div className="h-2 w-full overflow-hidden rounded bg-slate-200" role="progressbar" aria-valuenow={percent} aria-valuemin={0} aria-valuemax={100}>
            <div className="h-full bg-sky-600 transition-all" style={{ width: `${percent}%` }} />
          </div>
          <p className="mt-1 text-slate-600">
            {data.checked} of {data.total} checked · {data.updated} updated · {data.notFound} not found · {data.failed} failed ·{" "}
            {data.running ? "started " : "finished "}
            <DateTime value={data.running ? data.startedAt : data.finishedAt} timeZone={timeZone} />
          </p>
          {data.stopped ? (
            <p role="alert" className="mt-1 text-red-700" data-testid="sync-stopped">
              {data.stopped}
            </p>
          ) : null}
        </div>
      ) : null}
    </div>
  );
}
