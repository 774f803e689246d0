import "server-only";

// The web server's timer for the job sweep and, right after it, the Basiq events sync. A cycle runs when the
// last completed sweep (by any instance or trigger) is older than the interval, so restarts and several
// instances do not multiply sweeps; the advisory lock settles the rest. One cycle at a time, by construction:
// the next timer is only set when a cycle has ended.
import { basiq } from "@/lib/basiq";
import type { BasiqClient } from "@/lib/basiq/client";
import { analyzeDatabase } from "@/lib/db/analyze";
import { getDb, type Database } from "@/lib/db/client";
import { syncFromEvents, type EventsSyncResult } from "@/lib/directory/events";
import { env } from "@/lib/env";
import { log } from "@/lib/log";

import { lastCompletedSweep, runSweep, type RunSweepOptions, type SweepResult } from "./sweep";

export interface JobSchedulerOptions {
  /** Minutes between sweeps; 0 disables the scheduler. Default: SWEEP_INTERVAL_MINUTES (1440). */
  intervalMinutes?: number;
  /** The first check after start ("shortly after"). Default 60 s, so start-up is not slowed down. */
  firstCheckDelayMs?: number;
  /** After a failure, or while another instance is sweeping. Default min(interval, 10 minutes). */
  retryDelayMs?: number;
  /** Default: the process's database (getDb) and DATABASE_URL. */
  getDb?: () => Promise<Database>;
  databaseUrl?: string;
  /** Default: the process's shared Basiq client, basiq(). */
  getClient?: () => BasiqClient;
  /** Replaceable in tests. */
  sweep?: (options: RunSweepOptions) => Promise<SweepResult>;
  syncEvents?: (db: Database, client: BasiqClient) => Promise<EventsSyncResult | void>;
  now?: () => number;
}

/** Stops the timer and any running sweep (left interrupted, so the next one resumes); resolves when idle. */
export type StopJobScheduler = () => Promise<void>;

const MINUTE = 60_000;

export function startJobScheduler(options: JobSchedulerOptions = {}): StopJobScheduler {
  const intervalMs = (options.intervalMinutes ?? env().sweepIntervalMinutes) * MINUTE;
  if (!(intervalMs > 0)) {
    log.info("job sweep scheduler disabled (SWEEP_INTERVAL_MINUTES=0)");
    return async () => {};
  }
  const retryMs = options.retryDelayMs ?? Math.min(intervalMs, 10 * MINUTE);
  const now = options.now ?? Date.now;
  const stopper = new AbortController();
  let timer: ReturnType<typeof setTimeout> | undefined;
  let cycle: Promise<void> | null = null;

  const schedule = (delayMs: number) => {
    if (stopper.signal.aborted) return;
    timer = setTimeout(
      () => {
        cycle = runCycle().finally(() => (cycle = null));
      },
      Math.max(0, delayMs),
    );
    timer.unref(); // never keeps the process alive
  };

  /** Runs what is due and returns the delay until the next check. */
  const due = async (): Promise<number> => {
    const db = await (options.getDb ?? getDb)();
    const last = await lastCompletedSweep(db);
    const dueAt = last ? last.startedAt.getTime() + intervalMs : 0;
    if (now() < dueAt) return dueAt - now();

    const client = options.getClient ? options.getClient() : basiq("background");
    const databaseUrl = "databaseUrl" in options ? options.databaseUrl : env().databaseUrl;
    const sweep = options.sweep ?? runSweep;
    const startedAt = now();
    let completed = false;
    try {
      const result = await sweep({ db, client, trigger: "schedule", databaseUrl, signal: stopper.signal });
      // Another instance is sweeping: look again later, and leave the events to it as well.
      if (result.status === "already-running") return retryMs;
      completed = true;
    } catch (e) {
      if (stopper.signal.aborted) return retryMs;
      log.error({ err: e instanceof Error ? e.message : String(e) }, "scheduled job sweep failed");
    }
    if (stopper.signal.aborted) return retryMs;
    try {
      await (options.syncEvents ?? syncFromEvents)(db, client);
    } catch (e) {
      log.error({ err: e instanceof Error ? e.message : String(e) }, "scheduled events sync failed");
    }
    await analyzeDatabase(db, "scheduled cycle"); // periodic statistics, after the events sync's changes too
    // Every interval from the start of the sweep (no drift by its duration), with a breather after a long one.
    return completed ? Math.max(startedAt + intervalMs - now(), Math.min(retryMs, intervalMs)) : retryMs;
  };

  const runCycle = async () => {
    let next = retryMs;
    try {
      next = await due();
    } catch (e) {
      log.error({ err: e instanceof Error ? e.message : String(e) }, "job sweep scheduler check failed");
    }
    schedule(next);
  };

  log.info({ intervalMinutes: intervalMs / MINUTE }, "job sweep scheduler started");
  schedule(options.firstCheckDelayMs ?? 60_000);

  return async () => {
    stopper.abort(new Error("job scheduler stopped"));
    clearTimeout(timer);
    await cycle;
  };
}
