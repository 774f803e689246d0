// Tests and benchmarks: a sweep run through the real job engine (pg-boss on the given database) in this process.
import type { BasiqClient } from "@/lib/basiq/client";
import type { Database } from "@/lib/db/client";
import { enqueue, startQueue, stopQueue } from "@/lib/queue/engine";

import { createSweepQueues } from "./queues";
import { SWEEP_QUEUE, waitForRunStart, waitForSweep, type SweepProgress, type SweepRun, type SweepTrigger } from "./sweep";

export interface SweepEngineOptions {
  db: Database;
  /** PostgreSQL: pg-boss connects here; unset = PGlite of `db`. */
  url?: string;
  client: BasiqClient;
  batchSize?: number;
  batchExpireSeconds?: number;
  fleetMaxInFlight?: number;
  maintenanceIntervalSeconds?: number;
}

/** Starts the engine with the sweep's queues over this database and client (stop it with stopQueue). */
export async function startSweepEngine(options: SweepEngineOptions): Promise<void> {
  const queues = createSweepQueues({
    getDb: async () => options.db,
    client: () => options.client,
    intervalMinutes: () => 0,
    fleetMaxInFlight: () => options.fleetMaxInFlight,
    batchExpireSeconds: () => options.batchExpireSeconds ?? 600,
    syncEvents: async () => {},
    batchSize: options.batchSize,
  });
  await startQueue({ db: options.db, databaseUrl: options.url, queues, schedule: false, maintenanceIntervalSeconds: options.maintenanceIntervalSeconds ?? 5 });
}

/** Enqueues a sweep and follows it to its end; returns the run (completed, or failed with its message). */
export async function sweepThroughEngine(
  db: Database,
  trigger: SweepTrigger = "manual",
  onProgress?: (p: SweepProgress) => void,
): Promise<SweepRun> {
  const since = new Date(Date.now() - 1);
  await enqueue(SWEEP_QUEUE, { trigger });
  const run = await waitForRunStart(db, since);
  return waitForSweep(db, run.id, { intervalMs: 100, onProgress });
}

export { stopQueue };
