import "server-only";

// The sweep's queues on the job engine (lib/queue): the planner ("sweep", on a cron tick: it starts a sweep
// when SWEEP_INTERVAL_MINUTES have passed since the last completed one, or at once when enqueued by "Run sweep
// now" / npm run jobs:sweep), the batches ("sweep-batch", worked by every instance), the batches that failed
// every retry ("sweep-batch__dead": their run is stopped, so the next one resumes them), and the Basiq events
// sync run after each completed sweep ("events-sync").
import { basiq } from "@/lib/basiq";
import type { BasiqClient } from "@/lib/basiq/client";
import { analyzeDatabase } from "@/lib/db/analyze";
import { getDb, type Database } from "@/lib/db/client";
import { syncFromEvents } from "@/lib/directory/events";
import { env } from "@/lib/env";
import { log } from "@/lib/log";
import { everyMinutesCron } from "@/lib/queue/cron";
import { enqueue, enqueueMany, queueStopSignal } from "@/lib/queue/engine";
import { DEAD_LETTER_SUFFIX, type QueueDefinition } from "@/lib/queue/types";

import { failSweep, planSweep, SWEEP_BATCH_QUEUE, SWEEP_CONCURRENCY, SWEEP_QUEUE, SweepPool, type SweepTrigger } from "./sweep";

export const EVENTS_SYNC_QUEUE = "events-sync";

/** Batch slots for BASIQ_FLEET_MAX_IN_FLIGHT: each active batch's process keeps at most SWEEP_CONCURRENCY calls. */
export function fleetSlots(fleetMaxInFlight: number | undefined): number | undefined {
  return fleetMaxInFlight ? Math.max(1, Math.floor(fleetMaxInFlight / SWEEP_CONCURRENCY)) : undefined;
}

export interface SweepQueueDeps {
  getDb: () => Promise<Database>;
  client: () => BasiqClient;
  /** SWEEP_INTERVAL_MINUTES (0 = no schedule). */
  intervalMinutes: () => number;
  /** BASIQ_FLEET_MAX_IN_FLIGHT. */
  fleetMaxInFlight: () => number | undefined;
  /** SWEEP_BATCH_EXPIRE_SECONDS. */
  batchExpireSeconds: () => number;
  /** The events sync after a completed sweep (default: Basiq's events feed into the directory). */
  syncEvents?: (db: Database, client: BasiqClient) => Promise<unknown>;
  batchSize?: number;
}

/** The sweep's queue definitions over the given database and client (the process's own by default). */
export function createSweepQueues(deps: SweepQueueDeps): QueueDefinition[] {
  let pool: SweepPool | undefined;
  const sweepPool = () =>
    (pool ??= new SweepPool({
      getDb: deps.getDb,
      client: deps.client,
      stopSignal: queueStopSignal,
      continueBatch: (job) => enqueueMany(SWEEP_BATCH_QUEUE, [{ ...job, ...slotKey(job.data.batchNo) }]),
      onCompleted: async () => {
        await enqueue(EVENTS_SYNC_QUEUE, {});
      },
    }));
  const slotKey = (batchNo: number) => {
    const slots = fleetSlots(deps.fleetMaxInFlight());
    return slots ? { singletonKey: `slot-${batchNo % slots}` } : {};
  };
  const runPlanner = async (data: { trigger?: SweepTrigger }) => {
    const trigger = data.trigger ?? "schedule";
    const result = await planSweep(await deps.getDb(), {
      trigger,
      batchSize: deps.batchSize,
      intervalMinutes: deps.intervalMinutes(),
      fleetSlots: fleetSlots(deps.fleetMaxInFlight()),
      enqueueBatches: (jobs) => enqueueMany(SWEEP_BATCH_QUEUE, jobs),
    });
    if (result.status === "already-running") log.info({ sweepId: result.run.id, trigger }, "job sweep already running");
  };
  return [
    {
      name: SWEEP_QUEUE,
      handler: runPlanner,
      get options() {
        return {
          policy: "stately" as const, // one planner queued and one running at most
          retryLimit: 3,
          retryDelay: 30,
          expireInSeconds: 600,
          cron: everyMinutesCron(Math.min(deps.intervalMinutes(), 15)),
          cronData: { trigger: "schedule" },
        };
      },
    },
    {
      name: SWEEP_BATCH_QUEUE,
      handler: (data: { sweepId: number; batchNo: number }) => sweepPool().runBatch(data, deps.batchExpireSeconds()),
      // A getter: read from the configuration when the engine starts, not when this module is imported.
      get options() {
        return {
          // With BASIQ_FLEET_MAX_IN_FLIGHT the batches carry slot keys: one active batch per slot, fleet-wide.
          policy: deps.fleetMaxInFlight() ? ("singleton" as const) : ("standard" as const),
          retryLimit: 10,
          retryDelay: 2,
          retryBackoff: false,
          expireInSeconds: deps.batchExpireSeconds(),
          // The pool (SweepPool) works every batch this process holds as one stream of calls: three in hand, so the
          // next batch is already claimed and waiting while one drains and another is being fetched.
          localConcurrency: 3,
          pollingIntervalSeconds: 1,
        };
      },
    },
    {
      name: SWEEP_BATCH_QUEUE + DEAD_LETTER_SUFFIX,
      handler: async (data: { sweepId: number; batchNo: number }) => {
        await failSweep(await deps.getDb(), data.sweepId, `batch ${data.batchNo} failed after every retry; the next sweep resumes it`);
      },
      options: { deadLetter: false, retryLimit: 3 },
    },
    {
      name: EVENTS_SYNC_QUEUE,
      handler: async () => {
        const db = await deps.getDb();
        await (deps.syncEvents ?? syncFromEvents)(db, deps.client());
        await analyzeDatabase(db, "job sweep and events sync"); // job_runs and the directory changed in bulk
      },
      options: { policy: "stately", retryLimit: 3, retryDelay: 60, expireInSeconds: 900 },
    },
  ];
}

export const sweepQueues: QueueDefinition[] = createSweepQueues({
  getDb,
  client: () => basiq("background"),
  intervalMinutes: () => env().sweepIntervalMinutes,
  fleetMaxInFlight: () => env().basiqFleetMaxInFlight,
  batchExpireSeconds: () => env().sweepBatchExpireSeconds,
});
