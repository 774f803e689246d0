import "server-only";

// The job sweep on the job engine (lib/queue): for every user in the directory, read their jobs from Basiq (one
// GET /users/{id}/jobs) and upsert them into job_runs, recorded in sweep_runs.
//
// - A planner job (queue "sweep", one active at a time) creates the sweep_runs row and splits the directory into
//   batches of ~200 users by id range (sweep_batches), each a job of the queue "sweep-batch".
// - Every instance's workers take batches. Within a process one pool keeps SWEEP_CONCURRENCY calls in flight
//   continuously across the batches it holds (two at a time, so there is no pause at a batch's end); database
//   writes run on one writer chain, outside the call slots.
// - A batch checkpoints its cursor with the jobs of every user up to it; a retried batch (its worker died, the
//   engine stopped, or it outlived its expiry) resumes after the cursor, so users are not read twice. The
//   batch's `attempt` is a lease: a worker whose batch was taken over stops at its next checkpoint.
// - The run completes when its last batch does; its counters are the sum of its batches, with each instance's
//   share in sweep_shares. At most one run is "running" (a unique index), so one sweep at a time.
// - Basiq failing for SWEEP_OUTAGE_STOP users in a row, or refusing our key, stops the sweep (failed); the next
//   one continues its unfinished batches from their cursors (resumed_from).
import { createHash } from "node:crypto";
import { setMaxListeners } from "node:events";

import { and, asc, desc, eq, gt, isNull, lte, notInArray, sql } from "drizzle-orm";

import type { BasiqClient } from "@/lib/basiq/client";
import { BasiqApiError, isBasiqError, isBasiqKeyRefused, isBasiqNotFound, KEY_REFUSED_MESSAGE } from "@/lib/basiq/errors";
import { rowsOf, type Database } from "@/lib/db/client";
import { instanceId } from "@/lib/db/instance";
import { basiqUsers, sweepBatches, sweepRuns, sweepShares } from "@/lib/db/schema";
import { log } from "@/lib/log";

import { jobRunValues, upsertJobRows, type JobRunValues } from "./store";

export type SweepTrigger = "schedule" | "cli" | "manual";
export type SweepRun = typeof sweepRuns.$inferSelect;

export const SWEEP_QUEUE = "sweep";
export const SWEEP_BATCH_QUEUE = "sweep-batch";
/** Users per batch job. */
export const SWEEP_BATCH_SIZE = 200;
/**
 * Calls kept in flight per process, continuously. The background lane's per-route bulkhead holds the sweep's one
 * route to this (BASIQ_BACKGROUND_MAX_IN_FLIGHT=10, the default, gives 8).
 */
export const SWEEP_CONCURRENCY = 8;
/** Workers beyond the calls in flight: one is already queued for a freed slot while another stores its answer. */
const SPARE_WORKERS = 2;
/** Users between checkpoints of a batch. */
const CHECKPOINT_USERS = 50;
/** After a stop, calls in flight get this long to finish (so their users are not read again). */
const STOP_GRACE_MS = 2_000;
/** This many users failing in a row (no success between) is an outage: the sweep stops. */
export const SWEEP_OUTAGE_STOP = 16;
/**
 * A batch stops taking users this long before its expiry (15 s, or 40 % of a short expiry), checkpoints, and
 * continues in a new job of its own (not a retry: nothing failed), so a slow batch is never failed by its expiry.
 */
const expiryMarginMs = (expireInSeconds: number) => Math.min(15_000, expireInSeconds * 400);

// ---------------------------------------------------------------------------------------------------------
// Status

/** Newest first. */
export async function latestSweepRuns(db: Database, limit = 20): Promise<SweepRun[]> {
  return db.select().from(sweepRuns).orderBy(desc(sweepRuns.id)).limit(limit);
}

export async function lastCompletedSweep(db: Database): Promise<SweepRun | undefined> {
  const [run] = await db.select().from(sweepRuns).where(eq(sweepRuns.status, "completed")).orderBy(desc(sweepRuns.id)).limit(1);
  return run;
}

export async function runningSweep(db: Database): Promise<SweepRun | undefined> {
  const [run] = await db.select().from(sweepRuns).where(eq(sweepRuns.status, "running")).limit(1);
  return run;
}

export interface SweepProgress {
  runId: number;
  startedAt: Date;
  usersTotal: number;
  usersChecked: number;
  usersNotFound: number;
  jobsNew: number;
  newFailures: number;
  errors: number;
  batchesTotal: number;
  batchesDone: number;
  /** Users checked per instance id. */
  shares: Record<string, number>;
}

/** A sweep's progress, assembled from its batches (the run's own counters are written when it ends). */
export async function sweepProgress(db: Database, run: SweepRun): Promise<SweepProgress> {
  const [sums] = rowsOf<Record<string, string | number | null>>(
    await db.execute(sql`
      select count(*) as batches_total, count(*) filter (where status = 'done') as batches_done,
             coalesce(sum(users_checked), 0) as users_checked, coalesce(sum(users_not_found), 0) as users_not_found,
             coalesce(sum(jobs_new), 0) as jobs_new, coalesce(sum(new_failures), 0) as new_failures,
             coalesce(sum(errors), 0) as errors
        from sweep_batches where sweep_id = ${run.id} and status <> 'moved'`),
  );
  const shares = await db.select().from(sweepShares).where(eq(sweepShares.sweepId, run.id));
  const n = (k: string) => Number(sums?.[k] ?? 0);
  return {
    runId: run.id,
    startedAt: run.startedAt,
    usersTotal: run.usersTotal,
    usersChecked: n("users_checked"),
    usersNotFound: n("users_not_found"),
    jobsNew: n("jobs_new"),
    newFailures: n("new_failures"),
    errors: n("errors"),
    batchesTotal: n("batches_total"),
    batchesDone: n("batches_done"),
    shares: Object.fromEntries(shares.map((s) => [s.instanceId, s.usersChecked])),
  };
}

// ---------------------------------------------------------------------------------------------------------
// Planning

export interface BatchJob {
  data: { sweepId: number; batchNo: number };
  id: string;
  singletonKey?: string;
}

export interface PlanOptions {
  trigger: SweepTrigger;
  /** Inserts the batch jobs (enqueueMany on "sweep-batch"). Ids make it idempotent. */
  enqueueBatches: (jobs: BatchJob[]) => Promise<void>;
  batchSize?: number;
  /** Scheduled runs only: minutes between sweeps (SWEEP_INTERVAL_MINUTES); a run is due this long after the last. */
  intervalMinutes?: number;
  /** The fleet-wide cap as batch slots (BASIQ_FLEET_MAX_IN_FLIGHT / SWEEP_CONCURRENCY); unset = no cap. */
  fleetSlots?: number;
  now?: () => number;
}

export type PlanResult =
  | { status: "started"; run: SweepRun }
  | { status: "already-running"; run: SweepRun }
  | { status: "not-due" };

/** The engine's id of a batch's job: the same batch is never enqueued twice. */
export function batchJobId(sweepId: number, batchNo: number, continuation = 0): string {
  const h = createHash("sha256").update(`sweep-batch:${sweepId}:${batchNo}${continuation ? `:${continuation}` : ""}`).digest("hex");
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-8${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

function batchJobs(sweepId: number, batchNos: number[], fleetSlots: number | undefined): BatchJob[] {
  return batchNos.map((batchNo) => ({
    data: { sweepId, batchNo },
    id: batchJobId(sweepId, batchNo),
    // With a fleet-wide cap, batches share that many slots; the queue's singleton policy lets one batch per slot
    // be active across every instance.
    ...(fleetSlots ? { singletonKey: `slot-${batchNo % fleetSlots}` } : {}),
  }));
}

const SLACK_MS = 60_000;

/** The planner: starts a sweep (or continues an unfinished one) unless one is running. */
export async function planSweep(db: Database, options: PlanOptions): Promise<PlanResult> {
  const now = options.now ?? Date.now;
  const running = await runningSweep(db);
  if (running) {
    // A run whose last batch completed but whose record was not closed (the process died in between) is closed
    // here; otherwise its batches' jobs are re-inserted (a no-op for those that exist).
    if (await finishSweepIfDone(db, running.id)) return planSweep(db, options);
    const undone = await db
      .select({ batchNo: sweepBatches.batchNo })
      .from(sweepBatches)
      .where(and(eq(sweepBatches.sweepId, running.id), notInArray(sweepBatches.status, ["done", "moved"])));
    await options.enqueueBatches(batchJobs(running.id, undone.map((b) => b.batchNo), options.fleetSlots));
    return { status: "already-running", run: running };
  }
  if (options.trigger === "schedule" && options.intervalMinutes) {
    const last = await lastCompletedSweep(db);
    if (last && last.startedAt.getTime() + options.intervalMinutes * 60_000 - SLACK_MS > now()) return { status: "not-due" };
  }
  const batchSize = options.batchSize ?? SWEEP_BATCH_SIZE;
  const [newest] = await db.select().from(sweepRuns).orderBy(desc(sweepRuns.id)).limit(1);
  const leftover =
    newest && newest.status !== "completed"
      ? await db
          .select()
          .from(sweepBatches)
          .where(and(eq(sweepBatches.sweepId, newest.id), notInArray(sweepBatches.status, ["done", "moved"])))
          .orderBy(asc(sweepBatches.batchNo))
      : [];

  let created: { run: SweepRun; batchNos: number[] } | null;
  try {
    created = await db.transaction(async (tx) => {
      const [run] = await tx
        .insert(sweepRuns)
        .values({ trigger: options.trigger, status: "running", resumedFrom: leftover.length > 0 ? newest!.id : null })
        .returning();
      if (!run) throw new Error("sweep_runs insert returned no row");
      const rows: (typeof sweepBatches.$inferInsert)[] = [];
      if (leftover.length > 0) {
        // Continue the unfinished run: its batches from their cursors (what they checked stays in its record).
        for (const b of leftover) {
          rows.push({
            sweepId: run.id,
            batchNo: b.batchNo,
            afterId: b.cursor ?? b.afterId,
            lastId: b.lastId,
            usersTotal: Math.max(0, b.usersTotal - b.usersChecked),
          });
        }
        await tx
          .update(sweepBatches)
          .set({ status: "moved" })
          .where(and(eq(sweepBatches.sweepId, newest!.id), notInArray(sweepBatches.status, ["done", "moved"])));
      } else {
        const ids = (
          // Deleted and de-identified users (consent ended: lib/consents) are not swept: their jobs would bring back the
          // personal fields de-identification erased.
          await tx.select({ id: basiqUsers.id }).from(basiqUsers).where(and(isNull(basiqUsers.deletedAt), isNull(basiqUsers.deidentifiedAt))).orderBy(asc(basiqUsers.id))
        ).map((r) => r.id);
        for (let i = 0, no = 0; i < ids.length; i += batchSize, no++) {
          const slice = ids.slice(i, i + batchSize);
          rows.push({ sweepId: run.id, batchNo: no, afterId: i === 0 ? "" : ids[i - 1]!, lastId: slice.at(-1)!, usersTotal: slice.length });
        }
      }
      for (let i = 0; i < rows.length; i += 500) await tx.insert(sweepBatches).values(rows.slice(i, i + 500));
      const usersTotal = rows.reduce((n, r) => n + r.usersTotal, 0);
      const [withTotal] = await tx.update(sweepRuns).set({ usersTotal }).where(eq(sweepRuns.id, run.id)).returning();
      return { run: withTotal!, batchNos: rows.map((r) => r.batchNo) };
    });
  } catch (e) {
    // Another instance started one between our check and insert (the unique index on the running row).
    const other = await runningSweep(db);
    if (other) return { status: "already-running", run: other };
    throw e;
  }
  const { run, batchNos } = created;
  log.info({ sweepId: run.id, trigger: options.trigger, usersTotal: run.usersTotal, batches: batchNos.length, resumedFrom: run.resumedFrom }, "job sweep started");
  await options.enqueueBatches(batchJobs(run.id, batchNos, options.fleetSlots));
  if (batchNos.length === 0) await finishSweepIfDone(db, run.id);
  return { status: "started", run };
}

function notFoundMessage(n: number): string | null {
  if (n === 0) return null;
  return n === 1 ? "1 user no longer exists at Basiq (404)" : `${n} users no longer exist at Basiq (404)`;
}

const TOTALS = sql`
  select coalesce(sum(users_checked), 0)::int as users_checked, coalesce(sum(users_not_found), 0)::int as users_not_found,
         coalesce(sum(jobs_new), 0)::int as jobs_new, coalesce(sum(jobs_updated), 0)::int as jobs_updated,
         coalesce(sum(new_failures), 0)::int as new_failures, coalesce(sum(errors), 0)::int as errors
    from sweep_batches`;

interface Totals {
  users_checked: number;
  users_not_found: number;
  jobs_new: number;
  jobs_updated: number;
  new_failures: number;
  errors: number;
}

async function totalsOf(db: Database, sweepId: number): Promise<Totals> {
  const [t] = rowsOf<Totals>(await db.execute(sql`${TOTALS} where sweep_id = ${sweepId} and status <> 'moved'`));
  return t ?? { users_checked: 0, users_not_found: 0, jobs_new: 0, jobs_updated: 0, new_failures: 0, errors: 0 };
}

function totalsColumns(t: Totals) {
  return {
    usersChecked: Number(t.users_checked),
    jobsNew: Number(t.jobs_new),
    jobsUpdated: Number(t.jobs_updated),
    newFailures: Number(t.new_failures),
    errors: Number(t.errors),
  };
}

/** Closes the run when every batch is done (exactly one caller wins); returns it then, else null. */
export async function finishSweepIfDone(db: Database, sweepId: number): Promise<SweepRun | null> {
  const [undone] = await db
    .select({ n: sql<number>`count(*)::int` })
    .from(sweepBatches)
    .where(and(eq(sweepBatches.sweepId, sweepId), notInArray(sweepBatches.status, ["done", "moved"])));
  if (Number(undone?.n ?? 0) > 0) return null;
  const t = await totalsOf(db, sweepId);
  const [done] = await db
    .update(sweepRuns)
    .set({ ...totalsColumns(t), status: "completed", finishedAt: new Date(), message: notFoundMessage(Number(t.users_not_found)) })
    .where(
      and(
        eq(sweepRuns.id, sweepId),
        eq(sweepRuns.status, "running"),
        sql`not exists (select 1 from sweep_batches where sweep_id = ${sweepId} and status not in ('done', 'moved'))`,
      ),
    )
    .returning();
  if (done) log.info({ sweepId, ...totalsColumns(t) }, "job sweep completed");
  return done ?? null;
}

/** Stops a running sweep (an outage, or a batch that failed every retry); its unfinished batches resume next time. */
export async function failSweep(db: Database, sweepId: number, message: string): Promise<boolean> {
  const t = await totalsOf(db, sweepId);
  const rows = await db
    .update(sweepRuns)
    .set({ ...totalsColumns(t), status: "failed", finishedAt: new Date(), message: message.slice(0, 1_000) })
    .where(and(eq(sweepRuns.id, sweepId), eq(sweepRuns.status, "running")))
    .returning({ id: sweepRuns.id });
  if (rows.length > 0) log.error({ sweepId, err: message }, "job sweep stopped");
  return rows.length > 0;
}

// ---------------------------------------------------------------------------------------------------------
// Working batches: one pool per process

interface Entry {
  id: string;
  done: boolean;
  notFound: boolean;
  failed: boolean;
  rows: JobRunValues[];
}

type StopReason = "outage" | "stopping" | "deadline" | "expired" | "lease" | "error";

class Batch {
  entries: Entry[] = [];
  dispensed = 0;
  /** Entries [0, committed) are stored and checkpointed. */
  committed = 0;
  inFlight = 0;
  stopped: StopReason | null = null;
  error: unknown = null;
  finishing = false;
  readonly calls = new AbortController();
  constructor(
    readonly sweepId: number,
    readonly batchNo: number,
    readonly lease: number,
    readonly users: string[],
    readonly deadline: number,
    readonly settle: { resolve: () => void; reject: (e: unknown) => void },
  ) {
    setMaxListeners(64, this.calls.signal); // every call in flight of the batch listens to it
  }
  prefix(): number {
    let p = this.committed;
    while (this.entries[p]?.done) p++;
    return p;
  }
}

export interface SweepPoolOptions {
  getDb: () => Promise<Database>;
  client: () => BasiqClient;
  /** After a run completed (events sync, statistics). */
  onCompleted?: (run: SweepRun) => Promise<void>;
  /** Aborted when the engine stops: batches checkpoint and are retried later. */
  stopSignal?: () => AbortSignal;
  /** Enqueues a batch's continuation (a batch that reached its time limit goes on in a new job). */
  continueBatch?: (job: BatchJob) => Promise<void>;
  concurrency?: number;
}

export class SweepPool {
  private batches: Batch[] = [];
  private workers = 0;
  private failedInARow = 0;
  private lastError: BasiqApiError | undefined;
  private writing: Promise<void> = Promise.resolve();
  private readonly size: number;

  constructor(private readonly options: SweepPoolOptions) {
    this.size = (options.concurrency ?? SWEEP_CONCURRENCY) + SPARE_WORKERS;
  }

  /** Works one batch job to its end. Resolves when done or when nothing is left to retry; rejects to be retried. */
  async runBatch(data: { sweepId: number; batchNo: number }, expireInSeconds: number): Promise<void> {
    const db = await this.options.getDb();
    const [claimed] = await db
      .update(sweepBatches)
      .set({ status: "running", attempt: sql`${sweepBatches.attempt} + 1`, instanceId: instanceId(), updatedAt: new Date() })
      .where(
        and(
          eq(sweepBatches.sweepId, data.sweepId),
          eq(sweepBatches.batchNo, data.batchNo),
          notInArray(sweepBatches.status, ["done", "moved"]),
          sql`exists (select 1 from sweep_runs where id = ${data.sweepId} and status = 'running')`,
        ),
      )
      .returning();
    if (!claimed) return; // done, moved to a newer run, or its run stopped: nothing to do
    const users = (
      await db
        .select({ id: basiqUsers.id })
        .from(basiqUsers)
        .where(and(isNull(basiqUsers.deletedAt), isNull(basiqUsers.deidentifiedAt), gt(basiqUsers.id, claimed.cursor ?? claimed.afterId), lte(basiqUsers.id, claimed.lastId)))
        .orderBy(asc(basiqUsers.id))
    ).map((r) => r.id);
    const stop = this.options.stopSignal?.();
    if (stop?.aborted) throw new Error("the job engine is stopping");
    await new Promise<void>((resolve, reject) => {
      const batch = new Batch(data.sweepId, data.batchNo, claimed.attempt, users, Date.now() + expireInSeconds * 1000 - expiryMarginMs(expireInSeconds), { resolve, reject });
      const onStop = () => {
        this.stopBatch(batch, "stopping");
        setTimeout(() => batch.calls.abort(new Error("stopping")), STOP_GRACE_MS).unref();
      };
      stop?.addEventListener("abort", onStop, { once: true });
      // The engine gives up on the job at its expiry (and retries it): by then this worker has stopped calling,
      // so a slow batch never runs beside its own retry.
      const hardStop = setTimeout(() => {
        this.stopBatch(batch, "expired"); // what is done is still checkpointed (under the lease); the retry resumes
        batch.calls.abort(new Error("the batch's job expired"));
      }, expireInSeconds * 1000 - Math.min(1_000, expireInSeconds * 100));
      hardStop.unref();
      batch.settle.resolve = () => {
        clearTimeout(hardStop);
        stop?.removeEventListener("abort", onStop);
        resolve();
      };
      batch.settle.reject = (e) => {
        clearTimeout(hardStop);
        stop?.removeEventListener("abort", onStop);
        reject(e);
      };
      this.batches.push(batch);
      this.maybeFinish(batch);
      while (this.workers < this.size) {
        this.workers++;
        void this.worker().finally(() => this.workers--);
      }
    });
  }

  private stopBatch(batch: Batch, reason: StopReason, error?: unknown) {
    if (batch.stopped) return;
    batch.stopped = reason;
    batch.error = error ?? null;
    if (reason !== "stopping" && reason !== "deadline") batch.calls.abort(error ?? new Error(reason));
    this.maybeFinish(batch);
  }

  private next(): { batch: Batch; entry: Entry } | null {
    for (const batch of this.batches) {
      if (batch.stopped || batch.dispensed >= batch.users.length) continue;
      if (Date.now() > batch.deadline) {
        this.stopBatch(batch, "deadline");
        continue;
      }
      const entry: Entry = { id: batch.users[batch.dispensed]!, done: false, notFound: false, failed: false, rows: [] };
      batch.entries[batch.dispensed++] = entry;
      return { batch, entry };
    }
    return null;
  }

  private async worker(): Promise<void> {
    for (let taken = this.next(); taken; taken = this.next()) {
      const { batch, entry } = taken;
      batch.inFlight++;
      try {
        const { jobs } = await this.options
          .client()
          .listUserJobs(entry.id, { userId: entry.id, signal: batch.calls.signal, lane: "background" });
        for (const job of jobs) entry.rows.push(jobRunValues(job, entry.id, batch.sweepId));
        this.failedInARow = 0;
        entry.done = true;
      } catch (e) {
        if (!batch.calls.signal.aborted) this.failed(batch, entry, e);
      } finally {
        batch.inFlight--;
      }
      this.afterUser(batch);
    }
  }

  private failed(batch: Batch, entry: Entry, e: unknown) {
    if (isBasiqNotFound(e)) {
      entry.notFound = true; // deleted at Basiq: checked, not an error
      entry.done = true;
      return;
    }
    if (!isBasiqError(e)) return this.stopBatch(batch, "error", e); // a bug: not something to count and skip
    entry.failed = true;
    entry.done = true;
    if (e instanceof BasiqApiError) this.lastError = e;
    log.warn(
      { userId: entry.id, correlationId: e.correlationId, route: e.route, status: e.status, code: e.code, sweepId: batch.sweepId },
      "job sweep: could not read a user's jobs",
    );
    const what = this.lastError ? `${this.lastError.status}${this.lastError.code ? ` ${this.lastError.code}` : ""}` : "network errors";
    if (isBasiqKeyRefused(e)) return this.outage(batch.sweepId, `${KEY_REFUSED_MESSAGE} (POST /token answered ${e.status}); stopped to retry later`);
    if (++this.failedInARow >= SWEEP_OUTAGE_STOP)
      this.outage(batch.sweepId, `Basiq failed for ${this.failedInARow} users in a row (${what}); stopped to retry later`);
  }

  /** Basiq is down or refuses us: stop the whole sweep here and record why (other instances stop at a checkpoint). */
  private outage(sweepId: number, message: string) {
    const mine = this.batches.filter((b) => b.sweepId === sweepId);
    // Nothing after the last checkpoint is stored: the next run reads the failing stretch again.
    this.write(async (db) => {
      await failSweep(db, sweepId, message);
    });
    for (const b of mine) this.stopBatch(b, "outage");
  }

  private afterUser(batch: Batch) {
    if (batch.prefix() - batch.committed >= CHECKPOINT_USERS && !batch.finishing) {
      const upto = batch.prefix();
      this.write((db) => this.checkpoint(db, batch, upto, false));
    }
    this.maybeFinish(batch);
  }

  private maybeFinish(batch: Batch) {
    if (batch.finishing || batch.inFlight > 0) return;
    if (!batch.stopped && batch.dispensed < batch.users.length) return;
    batch.finishing = true;
    this.write(async (db) => {
      try {
        await this.finish(db, batch);
      } catch (e) {
        this.batches = this.batches.filter((b) => b !== batch);
        batch.settle.reject(e);
      }
    });
  }

  private async finish(db: Database, batch: Batch): Promise<void> {
    {
      const upto = batch.prefix();
      const complete = !batch.stopped && upto === batch.users.length;
      if (batch.stopped !== "outage" && batch.stopped !== "lease") await this.checkpoint(db, batch, upto, complete);
      this.batches = this.batches.filter((b) => b !== batch);
      if (complete && batch.stopped === null) {
        const run = await finishSweepIfDone(db, batch.sweepId);
        if (run) await this.options.onCompleted?.(run);
        return batch.settle.resolve();
      }
      if (batch.stopped === "error") return batch.settle.reject(batch.error);
      if (batch.stopped === "expired") return batch.settle.resolve(); // the engine already failed the job: it retries
      if (batch.stopped === "deadline" && this.options.continueBatch && batch.committed === upto) {
        await this.options.continueBatch({
          data: { sweepId: batch.sweepId, batchNo: batch.batchNo },
          id: batchJobId(batch.sweepId, batch.batchNo, batch.lease),
        });
        return batch.settle.resolve();
      }
      if (batch.stopped === "stopping" || batch.stopped === "deadline")
        return batch.settle.reject(new Error(`batch ${batch.batchNo} ${batch.stopped === "deadline" ? "reached its expiry" : "stopped with the engine"}: resumed by a retry`));
      batch.settle.resolve(); // outage or lease lost: nothing for this job to retry
    }
  }

  /** Stores the jobs of entries [committed, upto) and moves the cursor; a lost lease or a stopped run stops the batch. */
  private async checkpoint(db: Database, batch: Batch, upto: number, complete: boolean): Promise<void> {
    const slice = batch.entries.slice(batch.committed, upto);
    if (slice.length === 0 && !complete) return;
    const stored = await upsertJobRows(db, slice.flatMap((e) => e.rows));
    const checked = slice.length;
    const [row] = await db
      .update(sweepBatches)
      .set({
        cursor: slice.at(-1)?.id ?? sql`${sweepBatches.cursor}`,
        status: complete ? "done" : "running",
        usersChecked: sql`${sweepBatches.usersChecked} + ${checked}`,
        usersNotFound: sql`${sweepBatches.usersNotFound} + ${slice.filter((e) => e.notFound).length}`,
        errors: sql`${sweepBatches.errors} + ${slice.filter((e) => e.failed).length}`,
        jobsNew: sql`${sweepBatches.jobsNew} + ${stored.inserted}`,
        jobsUpdated: sql`${sweepBatches.jobsUpdated} + ${stored.updated}`,
        newFailures: sql`${sweepBatches.newFailures} + ${stored.newFailures}`,
        updatedAt: new Date(),
      })
      .where(
        and(
          eq(sweepBatches.sweepId, batch.sweepId),
          eq(sweepBatches.batchNo, batch.batchNo),
          eq(sweepBatches.attempt, batch.lease),
          eq(sweepBatches.status, "running"),
          sql`exists (select 1 from sweep_runs where id = ${batch.sweepId} and status = 'running')`,
        ),
      )
      .returning({ batchNo: sweepBatches.batchNo });
    if (!row) {
      // Taken over by a retry elsewhere, or the run was stopped: this worker stops here.
      if (!batch.stopped) this.stopBatch(batch, "lease");
      return;
    }
    batch.committed = upto;
    if (checked > 0) {
      await db
        .insert(sweepShares)
        .values({ sweepId: batch.sweepId, instanceId: instanceId(), usersChecked: checked })
        .onConflictDoUpdate({
          target: [sweepShares.sweepId, sweepShares.instanceId],
          set: { usersChecked: sql`${sweepShares.usersChecked} + ${checked}` },
        });
    }
  }

  /** The writer: one database operation at a time, in order, never inside a Basiq call slot. */
  private write(task: (db: Database) => Promise<void>) {
    this.writing = this.writing
      .then(async () => task(await this.options.getDb()))
      .catch((e: unknown) => {
        log.error({ err: e instanceof Error ? e.message : String(e) }, "job sweep: a database write failed");
        for (const b of this.batches) this.stopBatch(b, "error", e);
      });
  }
}

// ---------------------------------------------------------------------------------------------------------
// Following a run

/**
 * Waits until run `runId` is no longer running (polling the database, so any instance may be doing the work);
 * `onProgress` gets the batches' progress on the way. Returns the run as it ended.
 */
export async function waitForSweep(
  db: Database,
  runId: number,
  options: { onProgress?: (p: SweepProgress) => void; intervalMs?: number; timeoutMs?: number } = {},
): Promise<SweepRun> {
  const deadline = Date.now() + (options.timeoutMs ?? 24 * 3600_000);
  for (;;) {
    const [run] = await db.select().from(sweepRuns).where(eq(sweepRuns.id, runId));
    if (!run) throw new Error(`sweep #${runId} does not exist`);
    if (options.onProgress) options.onProgress(await sweepProgress(db, run));
    if (run.status !== "running") return run;
    if (Date.now() > deadline) throw new Error(`sweep #${runId} still running after the wait`);
    await new Promise((r) => setTimeout(r, options.intervalMs ?? 1_000));
  }
}

/** The run a planner job started or found running (polls: the planner may be on another instance). */
export async function waitForRunStart(db: Database, since: Date, timeoutMs = 60_000): Promise<SweepRun> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const running = await runningSweep(db);
    if (running) return running;
    const [newest] = await db.select().from(sweepRuns).orderBy(desc(sweepRuns.id)).limit(1);
    if (newest && newest.startedAt >= since) return newest;
    if (Date.now() > deadline) throw new Error("no sweep started: is a console (the job engine) running?");
    await new Promise((r) => setTimeout(r, 250));
  }
}
