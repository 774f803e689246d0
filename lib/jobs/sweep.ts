import "server-only";

// The job sweep: for every user in the directory, read their jobs from Basiq (one GET /users/{id}/jobs) and
// upsert them into job_runs, recording the run in sweep_runs. One runner at a time across instances; a run that
// did not finish (process killed, stopped, failed) is picked up by the next one from its cursor.
import { and, asc, desc, eq, gt, isNull } from "drizzle-orm";

import type { BasiqClient } from "@/lib/basiq/client";
import {
  BasiqApiError,
  isBasiqError,
  isBasiqKeyRefused,
  isBasiqNotFound,
  KEY_REFUSED_MESSAGE,
} from "@/lib/basiq/errors";
import { analyzeDatabase } from "@/lib/db/analyze";
import type { Database } from "@/lib/db/client";
import { basiqUsers, sweepRuns } from "@/lib/db/schema";
import { log } from "@/lib/log";

import { jobRunValues, upsertJobRows, type JobRunValues } from "./store";

export type SweepTrigger = "schedule" | "cli" | "manual";
export type SweepStatus = "running" | "completed" | "failed" | "interrupted";
export type SweepRun = typeof sweepRuns.$inferSelect;

export type SweepResult =
  { status: "completed"; run: SweepRun } | { status: "already-running"; runningSince?: Date };

/** What this process's sweep is doing, for the UI (plain data: safe to hand to a client component). */
export interface SweepProgress {
  running: boolean;
  runId: number | null;
  trigger: SweepTrigger | null;
  status: SweepStatus | null;
  startedAt: string | null;
  finishedAt: string | null;
  /** The run this one continued (a run that did not finish). */
  resumedFrom: number | null;
  usersTotal: number;
  usersChecked: number;
  /** Users Basiq answered 404 for (deleted at Basiq): checked, not errors. */
  usersNotFound: number;
  jobsNew: number;
  jobsUpdated: number;
  newFailures: number;
  errors: number;
}

export interface RunSweepOptions {
  db: Database;
  /** The process's shared client (basiq()): the sweep must not get a concurrency budget of its own. */
  client: BasiqClient;
  trigger: SweepTrigger;
  /** PostgreSQL: the advisory lock is taken on its own connection to this URL. Unset = PGlite (one process). */
  databaseUrl?: string;
  onProgress?: (progress: SweepProgress) => void;
  /**
   * Stops the run: no new user is started, calls in flight get STOP_GRACE_MS to finish (then are aborted), what
   * was fetched is stored and checkpointed; the row is marked interrupted and the run throws.
   */
  signal?: AbortSignal;
  /** Users read from the directory at a time, and users between checkpoints. Default 200. */
  batchSize?: number;
}

const DEFAULT_BATCH = 200;
/**
 * Calls kept in flight, continuously: a pool of workers over the user cursor (no pause between batches). The
 * background lane's per-route bulkhead holds the sweep's one route to this (BASIQ_BACKGROUND_MAX_IN_FLIGHT=10,
 * the default, gives 8).
 */
export const SWEEP_CONCURRENCY = 8;
/**
 * Workers beyond the calls in flight: while one worker parses and stores an answer, a spare is already queued for
 * the freed slot, so the slot never idles (8 workers averaged ~7.6 in flight on a busy machine).
 */
const SPARE_WORKERS = 2;
/** Jobs of several users go into one upsert: one statement per user made the database the bottleneck. */
const FLUSH_ROWS = 500;
/** Workers wait for the writer only when this many rows are waiting to be stored (the database is behind). */
const MAX_BUFFERED_ROWS = 4 * FLUSH_ROWS;
/** After a stop, calls in flight get this long to finish (so their users are not read again next run). */
const STOP_GRACE_MS = 2_000;
/** A whole checkpoint window failing (not 404) means Basiq or our credentials are down: stop instead of hammering. */
const MIN_BATCH_FOR_OUTAGE = 10;
/** This many users failing in a row (no success between) is an outage too: stop without waiting for the batch. */
export const SWEEP_OUTAGE_STOP = 16;
const RESUMABLE: readonly string[] = ["running", "interrupted", "failed"];

const idle: SweepProgress = {
  running: false,
  runId: null,
  trigger: null,
  status: null,
  startedAt: null,
  finishedAt: null,
  resumedFrom: null,
  usersTotal: 0,
  usersChecked: 0,
  usersNotFound: 0,
  jobsNew: 0,
  jobsUpdated: 0,
  newFailures: 0,
  errors: 0,
};

const globalForSweep = globalThis as unknown as { basiqJobSweepProgress?: SweepProgress };

/** The sweep of this process: running or the last one it ran (other instances' runs are in sweep_runs). */
export function currentSweep(): SweepProgress {
  return { ...(globalForSweep.basiqJobSweepProgress ?? idle) };
}

/** Newest first. */
export async function latestSweepRuns(db: Database, limit = 20): Promise<SweepRun[]> {
  return db.select().from(sweepRuns).orderBy(desc(sweepRuns.id)).limit(limit);
}

export async function lastCompletedSweep(db: Database): Promise<SweepRun | undefined> {
  const [run] = await db
    .select()
    .from(sweepRuns)
    .where(eq(sweepRuns.status, "completed"))
    .orderBy(desc(sweepRuns.id))
    .limit(1);
  return run;
}

export async function runSweep(options: RunSweepOptions): Promise<SweepResult> {
  const lock = await acquireSweepLock(options.databaseUrl);
  if (!lock.acquired) {
    // Write nothing: the runner owns sweep_runs. Its row may not exist yet, hence runningSince is optional.
    const runningSince = lock.heldSince ?? (await runningRowSince(options.db));
    return { status: "already-running", runningSince };
  }
  try {
    return { status: "completed", run: await sweepHoldingLock(options, lock) };
  } finally {
    await lock.release();
  }
}

async function runningRowSince(db: Database): Promise<Date | undefined> {
  try {
    const [row] = await db
      .select({ startedAt: sweepRuns.startedAt })
      .from(sweepRuns)
      .where(eq(sweepRuns.status, "running"))
      .orderBy(desc(sweepRuns.id))
      .limit(1);
    return row?.startedAt;
  } catch {
    return undefined;
  }
}

/**
 * The newest run, if it did not complete, is continued from its cursor. A "running" row while we hold the lock
 * belongs to a runner that died (its lock went with its connection): mark it interrupted.
 */
async function takeOverUnfinished(db: Database) {
  const [newest] = await db.select().from(sweepRuns).orderBy(desc(sweepRuns.id)).limit(1);
  if (!newest || !RESUMABLE.includes(newest.status)) return null;
  if (newest.status === "running") {
    await db
      .update(sweepRuns)
      .set({ status: "interrupted", message: "interrupted: the process stopped before finishing" })
      .where(eq(sweepRuns.id, newest.id));
  }
  return { runId: newest.id, cursor: newest.cursor };
}

interface Counters {
  usersChecked: number;
  usersNotFound: number;
  jobsNew: number;
  jobsUpdated: number;
  newFailures: number;
  errors: number;
}

/** The columns of sweep_runs the counters map to (users not found have no column: see the message). */
const countColumns = (c: Counters) => ({
  usersChecked: c.usersChecked,
  jobsNew: c.jobsNew,
  jobsUpdated: c.jobsUpdated,
  newFailures: c.newFailures,
  errors: c.errors,
});

async function sweepHoldingLock(options: RunSweepOptions, lock: SweepLock): Promise<SweepRun> {
  const { db, client, trigger, signal, onProgress = () => {} } = options;
  const batchSize = options.batchSize ?? DEFAULT_BATCH;
  const resume = await takeOverUnfinished(db);
  const live = isNull(basiqUsers.deletedAt);
  const after = resume?.cursor ?? "";
  const usersTotal = await db.$count(basiqUsers, and(live, gt(basiqUsers.id, after)));
  const [run] = await db
    .insert(sweepRuns)
    .values({
      trigger,
      status: "running",
      usersTotal,
      cursor: resume?.cursor ?? null,
      resumedFrom: resume?.runId ?? null,
    })
    .returning();
  if (!run) throw new Error("sweep_runs insert returned no row");

  const counters: Counters = {
    usersChecked: 0,
    usersNotFound: 0,
    jobsNew: 0,
    jobsUpdated: 0,
    newFailures: 0,
    errors: 0,
  };
  const progress: SweepProgress = {
    ...idle,
    running: true,
    runId: run.id,
    trigger,
    status: "running",
    startedAt: run.startedAt.toISOString(),
    resumedFrom: run.resumedFrom,
    usersTotal,
  };
  globalForSweep.basiqJobSweepProgress = progress;
  const report = () => {
    Object.assign(progress, counters);
    onProgress({ ...progress });
  };
  log.info({ sweepId: run.id, trigger, usersTotal, resumedFrom: run.resumedFrom }, "job sweep started");

  try {
    await sweepUsers({
      db,
      client,
      sweepId: run.id,
      after,
      batchSize,
      signal,
      counters,
      onUser: () => Object.assign(progress, counters),
      checkpoint: async (cursor) => {
        if (!(await lock.stillHeld()))
          throw new Error("lost the sweep lock (its database connection was replaced)");
        await db
          .update(sweepRuns)
          .set({ ...countColumns(counters), cursor })
          .where(eq(sweepRuns.id, run.id));
        report();
      },
    });
    if (signal?.aborted) throw signal.reason;
    const [done] = await db
      .update(sweepRuns)
      .set({
        ...countColumns(counters),
        status: "completed",
        finishedAt: new Date(),
        message: notFoundMessage(counters.usersNotFound),
      })
      .where(eq(sweepRuns.id, run.id))
      .returning();
    if (!done) throw new Error(`sweep_runs row ${run.id} disappeared`);
    progress.status = "completed";
    log.info({ sweepId: run.id, ...counters }, "job sweep completed");
    await analyzeDatabase(db, "job sweep"); // job_runs changed in bulk: fresh planner statistics
    return done;
  } catch (error) {
    const stopped = signal?.aborted === true;
    progress.status = stopped ? "interrupted" : "failed";
    const message = stopped
      ? "interrupted: stopped before finishing; the next sweep resumes from the cursor"
      : `failed: ${error instanceof Error ? error.message : String(error)}`.slice(0, 1_000);
    await db
      .update(sweepRuns)
      .set({ ...countColumns(counters), status: progress.status, finishedAt: new Date(), message })
      .where(eq(sweepRuns.id, run.id))
      .catch((e: unknown) =>
        log.error({ sweepId: run.id, err: (e as Error).message }, "could not record the sweep's end"),
      );
    if (stopped) log.warn({ sweepId: run.id, ...counters }, "job sweep interrupted");
    else log.error({ sweepId: run.id, err: message }, "job sweep failed");
    throw error;
  } finally {
    Object.assign(progress, counters, { running: false, finishedAt: new Date().toISOString() });
    onProgress({ ...progress });
  }
}

function notFoundMessage(n: number): string | null {
  if (n === 0) return null;
  return n === 1 ? "1 user no longer exists at Basiq (404)" : `${n} users no longer exist at Basiq (404)`;
}

interface SweepContext {
  db: Database;
  client: BasiqClient;
  sweepId: number;
  /** The cursor to start after ("" = from the beginning). */
  after: string;
  batchSize: number;
  signal: AbortSignal | undefined;
  counters: Counters;
  onUser: () => void;
  /** Store the cursor (every user up to it is checked and their jobs stored). Runs on the writer, in order. */
  checkpoint: (cursor: string) => Promise<void>;
}

/**
 * SWEEP_CONCURRENCY (+ SPARE_WORKERS) workers take users from the cursor in order and keep calls in flight continuously; database
 * work (reading the next page of users, storing jobs, checkpoints) runs on a writer chain outside the call slots.
 * The checkpoint cursor is the last user of the longest finished prefix, so it never skips an unchecked user.
 */
async function sweepUsers(ctx: SweepContext): Promise<void> {
  const { db, client, counters, signal, batchSize } = ctx;
  const live = isNull(basiqUsers.deletedAt);
  // Aborts calls in flight: a fatal error, an outage, or a stop whose grace is over (not the stop itself).
  const calls = new AbortController();
  const callSignal = calls.signal;
  let graceTimer: ReturnType<typeof setTimeout> | undefined;
  const onStop = () => {
    graceTimer = setTimeout(() => calls.abort(signal?.reason), STOP_GRACE_MS);
  };
  if (signal?.aborted) onStop();
  else signal?.addEventListener("abort", onStop, { once: true });

  const state = {
    fatal: null as { error: unknown } | null,
    outage: null as string | null,
    failedInARow: 0,
    last: undefined as BasiqApiError | undefined,
    rows: [] as JobRunValues[],
  };
  const stopped = () => state.fatal !== null || state.outage !== null || signal?.aborted === true;
  const what = () =>
    state.last ? `${state.last.status}${state.last.code ? ` ${state.last.code}` : ""}` : "network errors";
  const fail = (error: unknown) => {
    state.fatal ??= { error };
    calls.abort(error);
  };

  // The writer: one database operation at a time, in order, never inside a Basiq call slot.
  let writing: Promise<void> = Promise.resolve();
  const write = (task: () => Promise<void>) => {
    writing = writing.then(() => (state.fatal ? undefined : task())).catch(fail);
  };
  const flush = async () => {
    const rows = state.rows;
    state.rows = [];
    if (rows.length === 0) return;
    const stored = await upsertJobRows(db, rows);
    counters.jobsNew += stored.inserted;
    counters.jobsUpdated += stored.updated;
    counters.newFailures += stored.newFailures;
  };

  // Users in cursor order, a page at a time, the next page read while this one is worked through.
  const readPage = (after: string) =>
    db
      .select({ id: basiqUsers.id })
      .from(basiqUsers)
      .where(and(live, gt(basiqUsers.id, after)))
      .orderBy(asc(basiqUsers.id))
      .limit(batchSize)
      .then((rows) => rows.map((r) => r.id));
  let page: string[] = [];
  let pageAt = 0;
  let nextPage: Promise<string[]> | null = readPage(ctx.after);
  let taking: Promise<unknown> = Promise.resolve();
  /** Dispensed users in cursor order, from the first one not yet covered by the watermark. */
  const started: { id: string; done: boolean; failed: boolean }[] = [];
  const take = async () => {
    if (pageAt >= page.length) {
      if (!nextPage) return undefined;
      page = await nextPage;
      pageAt = 0;
      nextPage = page.length === batchSize ? readPage(page.at(-1)!) : null;
      nextPage?.catch(() => {}); // a failure surfaces when it is awaited
      if (page.length === 0) return undefined;
    }
    const entry = { id: page[pageAt++]!, done: false, failed: false };
    started.push(entry);
    return entry;
  };
  const nextUser = () => {
    const next = taking.then(take);
    taking = next.catch(() => {});
    return next;
  };

  // The watermark: every user up to it is done. A window of batchSize users past the last checkpoint → checkpoint.
  let watermark: string | null = null;
  const window = { users: 0, failed: 0 };
  const advance = () => {
    while (started[0]?.done) {
      const entry = started.shift()!;
      watermark = entry.id;
      window.users++;
      if (entry.failed) window.failed++;
      if (window.users >= batchSize) {
        if (window.users >= MIN_BATCH_FOR_OUTAGE && window.failed === window.users && !state.outage) {
          state.outage = `every Basiq call of a batch of ${window.users} users failed (${what()}); stopped to retry later`;
          calls.abort(new Error(state.outage));
        }
        window.users = 0;
        window.failed = 0;
        if (!state.outage) {
          const cursor = entry.id;
          write(async () => {
            await flush(); // the jobs of every user up to the cursor are stored before the cursor is
            await ctx.checkpoint(cursor);
          });
        }
      }
    }
  };

  const worker = async () => {
    while (!stopped()) {
      let entry;
      try {
        entry = await nextUser();
      } catch (e) {
        return fail(e);
      }
      if (!entry) return;
      if (stopped()) return; // taken but not started: the watermark stays before it
      const userId = entry.id;
      try {
        const { jobs } = await client.listUserJobs(userId, { userId, signal: callSignal, lane: "background" });
        for (const job of jobs) state.rows.push(jobRunValues(job, userId, ctx.sweepId));
        state.failedInARow = 0;
      } catch (e) {
        if (callSignal.aborted) return;
        if (isBasiqNotFound(e)) {
          counters.usersNotFound++; // deleted at Basiq (a user.deleted event marks the directory entry)
        } else if (isBasiqError(e)) {
          counters.errors++;
          entry.failed = true;
          if (e instanceof BasiqApiError) state.last = e;
          log.warn(
            {
              userId,
              correlationId: e.correlationId,
              route: e.route,
              status: e.status,
              code: e.code,
              sweepId: ctx.sweepId,
            },
            "job sweep: could not read a user's jobs",
          );
          // Basiq refuses our key: no other user can be read either. Stop now (not after SWEEP_OUTAGE_STOP).
          if (isBasiqKeyRefused(e) && !state.outage) {
            state.outage = `${KEY_REFUSED_MESSAGE} (POST /token answered ${e.status}); stopped to retry later`;
            calls.abort(new Error(state.outage));
          }
          if (++state.failedInARow >= SWEEP_OUTAGE_STOP && !state.outage) {
            state.outage = `Basiq failed for ${state.failedInARow} users in a row (${what()}); stopped to retry later`;
            calls.abort(new Error(state.outage));
          }
        } else {
          return fail(e); // a bug: not something to count and skip
        }
      }
      entry.done = true;
      counters.usersChecked++;
      ctx.onUser();
      advance();
      if (state.rows.length >= FLUSH_ROWS) write(flush);
      // Only when the database is behind does a worker wait for it (back-pressure, not a pause per batch).
      if (state.rows.length >= MAX_BUFFERED_ROWS) await writing;
    }
  };

  try {
    await Promise.all(Array.from({ length: SWEEP_CONCURRENCY + SPARE_WORKERS }, worker));
  } finally {
    clearTimeout(graceTimer);
    signal?.removeEventListener("abort", onStop);
  }
  // Whatever was fetched is stored, even after a stop or an outage.
  write(flush);
  // After a stop, the finished prefix is checkpointed; after an outage the cursor stays at the last checkpoint,
  // so the users of the failing stretch are read again by the next run.
  const end = watermark as string | null;
  if (!state.outage && end !== null && window.users > 0) write(() => ctx.checkpoint(end));
  await writing;
  if (state.fatal) throw state.fatal.error;
  if (state.outage && !signal?.aborted) throw new Error(state.outage);
}

// ---------------------------------------------------------------------------------------------------------
// One runner at a time

/** Arbitrary constant shared by every instance (the migration lock is 4_812_001). */
export const SWEEP_LOCK = 4_812_002;

interface SweepLock {
  acquired: true;
  /** False when the lock's connection was lost (and with it the lock): the run must stop. */
  stillHeld(): Promise<boolean>;
  release(): Promise<void>;
}

type LockAttempt = SweepLock | { acquired: false; heldSince?: Date };

const globalForLock = globalThis as unknown as { basiqJobSweepLock?: { since: Date } };

async function acquireSweepLock(databaseUrl: string | undefined): Promise<LockAttempt> {
  if (!databaseUrl) {
    // PGlite: one process owns the database, so an in-process flag is the whole story.
    const held = globalForLock.basiqJobSweepLock;
    if (held) return { acquired: false, heldSince: held.since };
    const mine = { since: new Date() };
    globalForLock.basiqJobSweepLock = mine;
    return {
      acquired: true,
      stillHeld: async () => globalForLock.basiqJobSweepLock === mine,
      release: async () => {
        if (globalForLock.basiqJobSweepLock === mine) globalForLock.basiqJobSweepLock = undefined;
      },
    };
  }
  // A session lock lives on one connection, and the drizzle pool may run each query on another: a dedicated
  // single-connection client holds it for the whole run. No max_lifetime, or postgres.js would recycle the
  // connection (and silently drop the lock) after 30-60 minutes.
  const { default: postgres } = await import("postgres");
  const conn = postgres(databaseUrl, { max: 1, onnotice: () => {}, connect_timeout: 10, max_lifetime: null });
  try {
    const [row] = await conn<
      { locked: boolean }[]
    >`select pg_try_advisory_lock(${SWEEP_LOCK}::bigint) as locked`;
    if (!row?.locked) {
      // The holder's connection exists only for the lock, so its start is when that sweep started.
      const [holder] = await conn.unsafe<{ since: Date }[]>(
        `select a.backend_start as since from pg_locks l join pg_stat_activity a on a.pid = l.pid
          where l.locktype = 'advisory' and l.classid = 0 and l.objid = ${SWEEP_LOCK} and l.objsubid = 1
            and l.granted limit 1`,
      );
      await conn.end({ timeout: 5 });
      return { acquired: false, heldSince: holder?.since ?? undefined };
    }
  } catch (e) {
    await conn.end({ timeout: 1 }).catch(() => {});
    throw e;
  }
  return {
    acquired: true,
    // postgres.js reconnects transparently after a dropped connection: the new session would not hold the lock.
    stillHeld: async () => {
      const [row] = await conn.unsafe<{ held: boolean }[]>(
        `select exists(select 1 from pg_locks where locktype = 'advisory' and classid = 0 and objid = ${SWEEP_LOCK}
           and objsubid = 1 and granted and pid = pg_backend_pid()) as held`,
      );
      return row?.held === true;
    },
    release: async () => {
      try {
        await conn`select pg_advisory_unlock(${SWEEP_LOCK}::bigint)`;
      } catch {
        // closing the connection below releases it anyway
      } finally {
        await conn.end({ timeout: 5 }).catch(() => {});
      }
    },
  };
}
