import "server-only";

// Gauges read at scrape time: this process's Basiq client (lanes, token) and database statement count, and —
// fleet-wide, from the database — the job engine's queues (pg-boss, when its schema exists) and the sweep.
import { sql } from "drizzle-orm";

import { basiq } from "@/lib/basiq";
import { databaseQueryCount, getDb, rowsOf } from "@/lib/db";

import { metrics } from "./metrics";

export interface QueueDepth {
  queue: string;
  state: string;
  jobs: number;
}

export interface SweepProgress {
  status: string;
  usersTotal: number;
  usersChecked: number;
  errors: number;
  newFailures: number;
  startedAt: string;
  finishedAt: string | null;
  lastSuccessAt: string | null;
}

export interface FleetFigures {
  /** Empty when the job engine's schema (pgboss) does not exist. */
  queues: QueueDepth[];
  sweep: SweepProgress | null;
}

/** Fleet-wide figures from the database; tolerant of a missing pg-boss schema. */
export async function readFleetFigures(): Promise<FleetFigures> {
  const db = await getDb();
  const [present] = rowsOf<{ present: boolean }>(
    await db.execute(sql`select to_regclass('pgboss.job') is not null as present`),
  );
  const queues = present?.present
    ? rowsOf<{ queue: string; state: string; jobs: number }>(
        await db.execute(sql`select name as queue, state::text as state, count(*)::int as jobs from pgboss.job group by 1, 2 order by 1, 2`),
      ).map((r) => ({ queue: r.queue, state: r.state, jobs: Number(r.jobs) }))
    : [];
  const [latest] = rowsOf<{
    status: string;
    users_total: number;
    users_checked: number;
    errors: number;
    new_failures: number;
    started_at: string | Date;
    finished_at: string | Date | null;
    last_success: string | Date | null;
  }>(
    await db.execute(sql`
      select status, users_total, users_checked, errors, new_failures, started_at, finished_at,
        (select max(finished_at) from sweep_runs where status = 'completed') as last_success
      from sweep_runs order by id desc limit 1`),
  );
  const iso = (v: string | Date | null) => (v === null ? null : new Date(v).toISOString());
  return {
    queues,
    sweep: latest
      ? {
          status: latest.status,
          usersTotal: Number(latest.users_total),
          usersChecked: Number(latest.users_checked),
          errors: Number(latest.errors),
          newFailures: Number(latest.new_failures),
          startedAt: iso(latest.started_at)!,
          finishedAt: iso(latest.finished_at),
          lastSuccessAt: iso(latest.last_success),
        }
      : null,
  };
}

/** Sets every scrape-time gauge; call just before serialising the registry. */
export async function refreshSnapshotMetrics(): Promise<void> {
  const m = metrics();
  const b = basiq().metrics();
  if (b.tokenAgeSeconds === null) m.basiqTokenAge.reset();
  else m.basiqTokenAge.set(b.tokenAgeSeconds);
  for (const lane of ["interactive", "background"] as const) {
    m.basiqInFlight.set({ lane }, b.lanes[lane].inFlight);
    m.basiqQueued.set({ lane }, b.lanes[lane].queued);
    m.basiqLaneCapacity.set({ lane }, b.lanes[lane].capacity);
  }
  m.basiqPaused.set(b.pausedForMs / 1000);
  m.basiqKeyRefused.set(b.tokenFailure?.keyRefused ? 1 : 0);

  const fleet = await readFleetFigures();
  m.queueJobs.reset();
  for (const q of fleet.queues) m.queueJobs.set({ queue: q.queue, state: q.state }, q.jobs);
  m.sweepRunning.set(fleet.sweep?.status === "running" ? 1 : 0);
  m.sweepUsers.set({ kind: "total" }, fleet.sweep?.usersTotal ?? 0);
  m.sweepUsers.set({ kind: "checked" }, fleet.sweep?.usersChecked ?? 0);
  m.sweepErrors.set(fleet.sweep?.errors ?? 0);
  m.sweepNewFailures.set(fleet.sweep?.newFailures ?? 0);
  if (fleet.sweep?.lastSuccessAt) m.sweepLastSuccess.set(Date.parse(fleet.sweep.lastSuccessAt) / 1000);
  else m.sweepLastSuccess.reset();
  // Last, so the statements above are counted in this scrape.
  m.dbStatements.set(databaseQueryCount());
}

/** The Prometheus exposition of this process (snapshot gauges refreshed first). */
export async function scrape(): Promise<{ body: string; contentType: string }> {
  await refreshSnapshotMetrics();
  const { registry } = metrics();
  return { body: await registry.metrics(), contentType: registry.contentType };
}
