import "server-only";

// The job engine: pg-boss (PostgreSQL-backed queues with cron schedules, singleton policies, retries with
// backoff, expiry and dead letters) for every piece of background work. One code path on both databases:
// on PostgreSQL pg-boss keeps its own small pool to DATABASE_URL; on the embedded PGlite it runs its SQL through
// the process's PGlite instance (lib/queue/pglite.ts). Its tables live in the `pgboss` schema.
import type { PGlite } from "@electric-sql/pglite";
import PgBoss from "pg-boss";

import type { Database } from "@/lib/db/client";
import { log } from "@/lib/log";
import { recordJobDuration } from "@/lib/observability/metrics";

import { pgliteExecutor } from "./pglite";
import { DEAD_LETTER_SUFFIX, type QueueDefinition, type QueueOptions } from "./types";

export const QUEUE_SCHEMA = "pgboss";

export interface StartQueueOptions {
  /** The process's database (getDb()): its PGlite instance is used when databaseUrl is unset. */
  db: Database;
  /** PostgreSQL: pg-boss connects here with its own pool. Unset = the embedded PGlite of `db`. */
  databaseUrl?: string;
  queues: readonly QueueDefinition[];
  /** Start workers for every queue (default true). False: enqueue only (the CLI without --work). */
  work?: boolean;
  /** Install and run cron schedules (default true). */
  schedule?: boolean;
  /** How often expired jobs are failed (and retried) and old ones archived. Default 60 s. */
  maintenanceIntervalSeconds?: number;
}

export interface QueueEngine {
  boss: PgBoss;
  /** This process's worker ids per queue: woken at once when this process enqueues. */
  workers: Map<string, string[]>;
  queues: readonly QueueDefinition[];
  kind: "postgres" | "pglite";
}

const state = globalThis as unknown as { basiqQueueEngine?: Promise<QueueEngine>; basiqQueueStopping?: AbortController };

/** Aborted when this process's engine begins to stop: long handlers stop taking new work and checkpoint. */
export function queueStopSignal(): AbortSignal {
  state.basiqQueueStopping ??= new AbortController();
  return state.basiqQueueStopping.signal;
}

const DEFAULTS: Required<Pick<QueueOptions, "retryLimit" | "retryDelay" | "retryBackoff" | "expireInSeconds">> = {
  retryLimit: 3,
  retryDelay: 10,
  retryBackoff: true,
  expireInSeconds: 900,
};

function pgliteOf(db: Database) {
  const client = (db as unknown as { $client?: { exec?: unknown; query?: unknown } }).$client;
  if (!client || typeof client.exec !== "function") throw new Error("the database is not PGlite: set databaseUrl");
  return client as unknown as PGlite;
}

/** pg-boss's own connection (PostgreSQL) or the PGlite adapter: the one switch between the two databases. */
export function createBoss(target: { db?: Database; databaseUrl?: string }, extra: PgBoss.ConstructorOptions = {}): PgBoss {
  const common: PgBoss.ConstructorOptions = { schema: QUEUE_SCHEMA, ...extra };
  if (target.databaseUrl) {
    return new PgBoss({ ...common, connectionString: target.databaseUrl, max: 4, application_name: "basiq-console-queue" });
  }
  if (!target.db) throw new Error("createBoss: a database or a URL is required");
  return new PgBoss({ ...common, db: pgliteExecutor(pgliteOf(target.db)) as PgBoss.Db });
}

function queueConfig(options: QueueOptions = {}, name: string): PgBoss.Queue {
  return {
    name,
    policy: options.policy ?? "standard",
    retryLimit: options.retryLimit ?? DEFAULTS.retryLimit,
    retryDelay: options.retryDelay ?? DEFAULTS.retryDelay,
    retryBackoff: options.retryBackoff ?? DEFAULTS.retryBackoff,
    expireInSeconds: options.expireInSeconds ?? DEFAULTS.expireInSeconds,
    ...(options.deadLetter === false ? {} : { deadLetter: name + DEAD_LETTER_SUFFIX }),
  };
}

/** Creates (or updates) every queue and its dead-letter queue. Idempotent. */
export async function ensureQueues(boss: PgBoss, queues: readonly QueueDefinition[]): Promise<void> {
  for (const q of queues) {
    if (q.options?.deadLetter !== false) {
      const dead = q.name + DEAD_LETTER_SUFFIX;
      await boss.createQueue(dead, { name: dead, retryLimit: 0 });
    }
    const config = queueConfig(q.options, q.name);
    await boss.createQueue(q.name, config);
    await boss.updateQueue(q.name, config); // options changed since it was created
  }
}

function cronOf(options: QueueOptions | undefined): string | undefined {
  const cron = options?.cron;
  return typeof cron === "function" ? cron() : cron;
}

/** Starts the engine once per process (later calls return the same one). */
export function startQueue(options: StartQueueOptions): Promise<QueueEngine> {
  state.basiqQueueEngine ??= start(options).catch((e: unknown) => {
    state.basiqQueueEngine = undefined;
    throw e;
  });
  return state.basiqQueueEngine;
}

async function start(options: StartQueueOptions): Promise<QueueEngine> {
  const boss = createBoss(options, {
    supervise: true,
    schedule: options.schedule !== false,
    maintenanceIntervalSeconds: options.maintenanceIntervalSeconds ?? 60,
  });
  boss.on("error", (e: Error & { queue?: string }) =>
    log.error({ queue: e.queue, err: e.message.slice(0, 500) }, "job engine error"),
  );
  await boss.start();
  if (state.basiqQueueStopping?.signal.aborted) state.basiqQueueStopping = undefined;
  await ensureQueues(boss, options.queues);
  const kind = options.databaseUrl ? "postgres" : "pglite";
  if (kind === "pglite") await failOrphanedJobs(boss, options.queues);
  if (options.schedule !== false) {
    const scheduled = new Set((await boss.getSchedules()).map((s) => s.name));
    for (const q of options.queues) {
      const cron = cronOf(q.options);
      if (cron) await boss.schedule(q.name, cron, q.options?.cronData ?? {}, { tz: "UTC" });
      else if (scheduled.has(q.name)) await boss.unschedule(q.name);
    }
  }
  const workerIds = new Map<string, string[]>();
  if (options.work !== false) {
    for (const q of options.queues) {
      const workers = q.options?.localConcurrency ?? 1;
      for (let i = 0; i < workers; i++) {
        const id = await boss.work(
          q.name,
          { batchSize: 1, pollingIntervalSeconds: q.options?.pollingIntervalSeconds ?? 2 },
          async ([job]) => {
            if (!job) return;
            const started = performance.now();
            try {
              await (q.handler as (data: unknown) => Promise<void>)(job.data);
              recordJobDuration(q.name, "completed", (performance.now() - started) / 1000);
            } catch (e) {
              recordJobDuration(q.name, "failed", (performance.now() - started) / 1000);
              log.warn({ queue: q.name, jobId: job.id, err: e instanceof Error ? e.message.slice(0, 300) : String(e) }, "job failed");
              throw e;
            }
          },
        );
        workerIds.set(q.name, [...(workerIds.get(q.name) ?? []), id]);
      }
    }
  }
  log.info({ kind, queues: options.queues.map((q) => q.name) }, "job engine started");
  return { boss, queues: options.queues, kind, workers: workerIds };
}

/**
 * PGlite is opened by one process at a time, so a job left active belongs to a process that died: fail it now
 * (it is retried, or goes to its dead letters) instead of waiting for its expiry.
 */
async function failOrphanedJobs(boss: PgBoss, queues: readonly QueueDefinition[]): Promise<void> {
  const db = boss.getDb();
  const { rows } = await db.executeSql(
    `select name, id from ${QUEUE_SCHEMA}.job where state = 'active' and name = any($1::text[])`,
    [queues.map((q) => q.name)],
  );
  for (const row of rows as { name: string; id: string }[]) {
    await boss.fail(row.name, row.id, { message: "the process working on it stopped" });
  }
  if (rows.length > 0) log.warn({ jobs: rows.length }, "jobs left active by a stopped process failed for retry");
}

/** Inserts many jobs at once (ids make it idempotent: an id already present is skipped). */
export async function enqueueMany(
  name: string,
  jobs: readonly { data: Record<string, unknown>; id?: string; singletonKey?: string; priority?: number }[],
): Promise<void> {
  const engine = await queueEngine();
  if (!engine) throw new Error("the job engine is not started in this process");
  for (let i = 0; i < jobs.length; i += 500) {
    await engine.boss.insert(jobs.slice(i, i + 500).map((j) => ({ name, ...j })));
  }
  wake(engine, name);
}

/** Jobs of these queues not finished yet (created, retry or active): 0 once every one completed or failed. */
export async function unfinishedJobs(names: readonly string[]): Promise<number> {
  const engine = await queueEngine();
  if (!engine) throw new Error("the job engine is not started in this process");
  const { rows } = await engine.boss.getDb().executeSql(
    `select count(*)::int as n from ${QUEUE_SCHEMA}.job where name = any($1::text[]) and state in ('created', 'retry', 'active')`,
    [names],
  );
  return Number((rows as { n: number }[])[0]?.n ?? 0);
}

/** Local workers of the queue look for jobs now instead of at their next poll. */
function wake(engine: QueueEngine, name: string) {
  for (const id of engine.workers.get(name) ?? []) engine.boss.notifyWorker(id);
}

/** The running engine, or null when this process did not start one. */
export async function queueEngine(): Promise<QueueEngine | null> {
  return state.basiqQueueEngine ? state.basiqQueueEngine.catch(() => null) : null;
}

/** Stops workers (jobs in hand get up to `timeoutMs` to finish; unfinished ones are failed and retried later). */
export async function stopQueue(timeoutMs = 10_000): Promise<void> {
  const running = state.basiqQueueEngine;
  state.basiqQueueEngine = undefined;
  if (!running) return;
  queueStopSignal();
  state.basiqQueueStopping?.abort(new Error("the job engine is stopping"));
  const engine = await running.catch(() => null);
  if (!engine) return;
  await new Promise<void>((resolve) => {
    engine.boss.once("stopped", () => resolve());
    engine.boss.stop({ graceful: true, wait: true, close: true, timeout: timeoutMs }).catch((e: unknown) => {
      log.error({ err: (e as Error).message }, "job engine stop failed");
      resolve();
    });
  });
}

export interface EnqueueOptions {
  /** Only one queued/active job with this key (with a singleton/stately/short policy). */
  singletonKey?: string;
  /** A stable id: enqueueing the same id twice creates one job. */
  id?: string;
  startAfterSeconds?: number;
  priority?: number;
}

/** Adds a job; returns its id, or null when a singleton rule kept it out (one is already queued or running). */
export async function enqueue(name: string, data: Record<string, unknown>, options: EnqueueOptions = {}): Promise<string | null> {
  const engine = await queueEngine();
  if (!engine) throw new Error("the job engine is not started in this process");
  const id = await engine.boss.send(name, data, {
    ...(options.id ? { id: options.id } : {}),
    ...(options.singletonKey ? { singletonKey: options.singletonKey } : {}),
    ...(options.startAfterSeconds ? { startAfter: options.startAfterSeconds } : {}),
    ...(options.priority ? { priority: options.priority } : {}),
  });
  wake(engine, name);
  return id;
}

/**
 * Migrations (the owner role): pg-boss's schema and every queue (creating a queue creates a table partition,
 * which only the owner of pgboss.job may attach), then the runtime role's rights on them.
 */
export async function installQueueSchema(ownerUrl: string, queues: readonly QueueDefinition[], runtimeRole?: string): Promise<void> {
  const boss = createBoss({ databaseUrl: ownerUrl }, { supervise: false, schedule: false, migrate: true });
  boss.on("error", (e: Error) => log.error({ err: e.message }, "job engine schema install error"));
  await boss.start();
  try {
    await ensureQueues(boss, queues);
    await ensureQueues(boss, [{ name: "__pgboss__send-it", handler: async () => {}, options: { deadLetter: false } }]);
  } finally {
    await boss.stop({ graceful: false, close: true });
  }
  if (!runtimeRole) return;
  const { default: postgres } = await import("postgres");
  const owner = postgres(ownerUrl, { max: 1, onnotice: () => {} });
  try {
    const role = owner(runtimeRole);
    await owner`grant usage on schema ${owner(QUEUE_SCHEMA)} to ${role}`;
    await owner`grant select, insert, update, delete on all tables in schema ${owner(QUEUE_SCHEMA)} to ${role}`;
    await owner`grant execute on all functions in schema ${owner(QUEUE_SCHEMA)} to ${role}`;
  } finally {
    await owner.end({ timeout: 5 });
  }
}
