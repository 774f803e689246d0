import "server-only";

// The job sweep on the job engine (lib/queue): for every user in the directory, read their jobs from Basiq (one
// GET /users/{id}/jobs) and upsert them into job_runs, recorded in sweep_runs.
//
// - A planner job (queue "sweep", one active at a time) creates the sweep_runs row and splits the directory into
//   batches of ~200 users by id range (sweep_batches), each a job of the queue "sweep-batch".
// - Every instance's workers take batches (three per process at a time). Within a process one pool keeps
//   SWEEP_CONCURRENCY calls in flight continuously across the batches it holds (a call starts the moment one
//   ends, from the oldest batch first); database writes run on one writer chain, outside the call slots.
// - Each user's call is made at most once per sweep across instances: its claim row (sweep_claims, unique per
//   sweep and user) is inserted a few users ahead of the call, and its result written right after. A batch taken
//   over (its worker died, the engine stopped, or it outlived its expiry) loads only users nobody claimed; users
//   a dead process claimed without recording a result are reported unconfirmed and checked first next time
//   (SweepPool). The batch's cursor (every user up to it stored) serves a later run that resumes the batch; its
//   `attempt` is a lease: a worker whose batch was taken over stops at its next claim or write.
// - The run completes when its last batch does; its counters are the sum of its batches, with each instance's
//   share in sweep_shares. At most one run is "running" (a unique index), so one sweep at a time.
// - Basiq failing for SWEEP_OUTAGE_STOP users in a row, or refusing our key, stops the sweep (failed); the next
//   one continues its unfinished batches from their cursors (resumed_from).
import { createHash } from "node:crypto";
import { setMaxListeners } from "node:events";

import { and, asc, desc, eq, gt, isNull, lt, lte, notInArray, sql } from "drizzle-orm";

import type { BasiqClient } from "@/lib/basiq/client";
import { BasiqApiError, isBasiqError, isBasiqKeyRefused, isBasiqNotFound, KEY_REFUSED_MESSAGE } from "@/lib/basiq/errors";
import { rowsOf, type Database } from "@/lib/db/client";
import { instanceId } from "@/lib/db/instance";
import { basiqUsers, sweepBatches, sweepClaims, sweepRuns, sweepShares } from "@/lib/db/schema";
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
/** Calls beyond the concurrency: one already waits at the limiter for a freed slot while another's answer is parsed. */
const SPARE_CALLS = 2;
/**
 * Users claimed ahead of the calls (refilled to twice this when fewer are left), and answered users whose results
 * are written together (or after FLUSH_MS). A process that dies leaves at most about 2 × this + its calls in flight
 * claimed without a result (unconfirmed).
 */
const CLAIM_AHEAD = SWEEP_CONCURRENCY;
const FLUSH_MS = 100;
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
  /** Taken before the others: the batch holds users an earlier sweep left unconfirmed. */
  priority?: number;
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

function batchJobs(sweepId: number, batchNos: number[], fleetSlots: number | undefined, first: ReadonlySet<number> = new Set()): BatchJob[] {
  return batchNos.map((batchNo) => ({
    data: { sweepId, batchNo },
    id: batchJobId(sweepId, batchNo),
    ...(first.has(batchNo) ? { priority: 1 } : {}),
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

  let created: { run: SweepRun; batchNos: number[]; first: Set<number> } | null;
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
      // Users earlier sweeps left unconfirmed (claimed by a process that died): their batches go first. Older
      // claims are not needed after that.
      const unconfirmed = (
        await tx.select({ id: sweepClaims.userId }).from(sweepClaims).where(and(lt(sweepClaims.sweepId, run.id), isNull(sweepClaims.result)))
      ).map((r) => r.id);
      const first = new Set(
        rows.filter((r) => unconfirmed.some((id) => id > r.afterId && id <= r.lastId)).map((r) => r.batchNo),
      );
      await tx.delete(sweepClaims).where(lt(sweepClaims.sweepId, run.id));
      return { run: withTotal!, batchNos: rows.map((r) => r.batchNo), first };
    });
  } catch (e) {
    // Another instance started one between our check and insert (the unique index on the running row).
    const other = await runningSweep(db);
    if (other) return { status: "already-running", run: other };
    throw e;
  }
  const { run, batchNos, first } = created;
  log.info(
    { sweepId: run.id, trigger: options.trigger, usersTotal: run.usersTotal, batches: batchNos.length, resumedFrom: run.resumedFrom, batchesFirst: first.size },
    "job sweep started",
  );
  await options.enqueueBatches(batchJobs(run.id, batchNos, options.fleetSlots, first));
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

function unconfirmedMessage(n: number): string | null {
  if (n === 0) return null;
  return `${n === 1 ? "1 user" : `${n} users`} unconfirmed: their check was in flight on a process that died; the next sweep checks them first`;
}

/** Closes the run when every batch is done (exactly one caller wins); returns it then, else null. */
export async function finishSweepIfDone(db: Database, sweepId: number): Promise<SweepRun | null> {
  const [undone] = await db
    .select({ n: sql<number>`count(*)::int` })
    .from(sweepBatches)
    .where(and(eq(sweepBatches.sweepId, sweepId), notInArray(sweepBatches.status, ["done", "moved"])));
  if (Number(undone?.n ?? 0) > 0) return null;
  const t = await totalsOf(db, sweepId);
  // Claims without a result: users a process that died had claimed (its calls in flight, or answered unwritten).
  const [unconfirmed] = await db
    .select({ n: sql<number>`count(*)::int` })
    .from(sweepClaims)
    .where(and(eq(sweepClaims.sweepId, sweepId), isNull(sweepClaims.result)));
  const usersUnconfirmed = Number(unconfirmed?.n ?? 0);
  const message = [notFoundMessage(Number(t.users_not_found)), unconfirmedMessage(usersUnconfirmed)].filter(Boolean).join("; ") || null;
  const [done] = await db
    .update(sweepRuns)
    .set({ ...totalsColumns(t), usersUnconfirmed, status: "completed", finishedAt: new Date(), message })
    .where(
      and(
        eq(sweepRuns.id, sweepId),
        eq(sweepRuns.status, "running"),
        sql`not exists (select 1 from sweep_batches where sweep_id = ${sweepId} and status not in ('done', 'moved'))`,
      ),
    )
    .returning();
  if (done) log.info({ sweepId, ...totalsColumns(t), usersUnconfirmed }, "job sweep completed");
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

type Result = "checked" | "not_found" | "error";

interface Entry {
  id: string;
  /**
   * candidate → claimed (this process holds its claim row) → calling → answered → stored; a candidate another
   * worker claimed stays a candidate; lost = aborted in flight; released = claimed, then given back uncalled.
   */
  state: "candidate" | "claimed" | "calling" | "answered" | "stored" | "lost" | "released";
  result?: Result;
  rows: JobRunValues[];
}

type StopReason = "outage" | "stopping" | "deadline" | "expired" | "lease" | "error";

class Batch {
  /** The batch's users not claimed in this sweep when it was taken, in id order. */
  readonly entries: Entry[];
  /** entries[0, claimedUpTo) have been offered to the claim statement. */
  claimedUpTo = 0;
  /** Claimed by this process, not called yet (in order). */
  ready: Entry[] = [];
  /** Answered, result not written yet. */
  answered: Entry[] = [];
  /** entries[0, prefix) are stored, or were claimed by another worker: the cursor. */
  prefix = 0;
  inFlight = 0;
  /** A claim statement for this batch is running. */
  claiming = false;
  stopped: StopReason | null = null;
  error: unknown = null;
  finishing = false;
  readonly calls = new AbortController();
  constructor(
    readonly sweepId: number,
    readonly batchNo: number,
    readonly lease: number,
    users: string[],
    readonly deadline: number,
    readonly settle: { resolve: () => void; reject: (e: unknown) => void },
  ) {
    this.entries = users.map((id) => ({ id, state: "candidate", rows: [] }));
    setMaxListeners(64, this.calls.signal); // every call in flight of the batch listens to it
  }
  /** Nothing left to claim, call or store. */
  drained(): boolean {
    return (
      this.inFlight === 0 &&
      !this.claiming &&
      (this.stopped !== null || (this.ready.length === 0 && this.claimedUpTo >= this.entries.length))
    );
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

/**
 * One pool per process over every batch it holds (the engine hands it up to three at a time): calls are started
 * the moment one ends, taking users from the oldest batch first, so the Basiq slots stay busy across batch ends.
 *
 * Exactly once per sweep across instances (issue 16): before a user is called, its claim row (sweep_claims, one
 * per sweep and user) is inserted with ON CONFLICT DO NOTHING, a few users ahead of the calls in one statement
 * (never inside a call slot), and only the users the insert returned are called; the result is written to the row
 * right after the call (grouped with the job rows, every CLAIM_AHEAD users or FLUSH_MS). A batch taken over after
 * its worker died loads only users nobody claimed in the sweep. Claims the dead process left without a result —
 * calls it had in flight, claimed ahead, or answered but not yet written: at most 2 × CLAIM_AHEAD + its calls in
 * flight — are not called again (their call may have reached Basiq); the run's record counts them as unconfirmed
 * and the next sweep takes their batches first. A worker that stops cleanly gives back the claims it never called.
 */
export class SweepPool {
  private batches: Batch[] = [];
  private inFlight = 0;
  private claiming = false;
  private flushQueued = false;
  private flushTimer: NodeJS.Timeout | null = null;
  private failedInARow = 0;
  private lastError: BasiqApiError | undefined;
  private writing: Promise<void> = Promise.resolve();
  private readonly concurrency: number;
  private readonly size: number;

  constructor(private readonly options: SweepPoolOptions) {
    this.concurrency = options.concurrency ?? SWEEP_CONCURRENCY;
    this.size = this.concurrency + SPARE_CALLS;
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
    // Users claimed in this sweep (by a worker before this one, or one still running elsewhere) are not called.
    const users = (
      await db
        .select({ id: basiqUsers.id })
        .from(basiqUsers)
        .where(
          and(
            isNull(basiqUsers.deletedAt),
            isNull(basiqUsers.deidentifiedAt),
            gt(basiqUsers.id, claimed.cursor ?? claimed.afterId),
            lte(basiqUsers.id, claimed.lastId),
            sql`not exists (select 1 from sweep_claims c where c.sweep_id = ${data.sweepId} and c.user_id = ${basiqUsers.id})`,
          ),
        )
        .orderBy(asc(basiqUsers.id))
    ).map((r) => r.id);
    if (claimed.attempt > 1) {
      // Claims without a result left by earlier workers of this batch (the process died): unconfirmed.
      await db.execute(sql`
        update sweep_batches set users_unconfirmed = (
          select count(*) from sweep_claims
           where sweep_id = ${data.sweepId} and batch_no = ${data.batchNo} and result is null and lease < ${claimed.attempt})
         where sweep_id = ${data.sweepId} and batch_no = ${data.batchNo}`);
    }
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
        this.stopBatch(batch, "expired"); // what is answered is still stored; the retry takes the rest
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
      this.pump();
      this.maybeFinish(batch);
    });
  }

  private stopBatch(batch: Batch, reason: StopReason, error?: unknown) {
    if (batch.stopped) return;
    batch.stopped = reason;
    batch.error = error ?? null;
    if (reason !== "stopping" && reason !== "deadline") batch.calls.abort(error ?? new Error(reason));
    this.maybeFinish(batch);
  }

  /** Starts calls while there are free slots and claimed users; claims ahead when few are left. */
  private pump() {
    while (this.inFlight < this.size) {
      const batch = this.batches.find((b) => !b.stopped && b.ready.length > 0 && !this.pastDeadline(b));
      if (!batch) break;
      void this.call(batch, batch.ready.shift()!);
    }
    const readyTotal = this.batches.reduce((n, b) => n + (b.stopped ? 0 : b.ready.length), 0);
    if (!this.claiming && readyTotal < CLAIM_AHEAD) {
      const batch = this.batches.find((b) => !b.stopped && !b.finishing && b.claimedUpTo < b.entries.length && !this.pastDeadline(b));
      if (batch) void this.claim(batch, 2 * CLAIM_AHEAD - readyTotal);
    }
  }

  private pastDeadline(batch: Batch): boolean {
    if (Date.now() <= batch.deadline) return false;
    this.stopBatch(batch, "deadline");
    return true;
  }

  /** One INSERT … ON CONFLICT DO NOTHING for the batch's next users, under its lease; only those returned are called. */
  private async claim(batch: Batch, count: number): Promise<void> {
    this.claiming = true;
    batch.claiming = true;
    const offered = batch.entries.slice(batch.claimedUpTo, batch.claimedUpTo + count);
    batch.claimedUpTo += offered.length;
    try {
      const db = await this.options.getDb();
      const won = new Set(
        rowsOf<{ user_id: string }>(
          await db.execute(sql`
            insert into sweep_claims (sweep_id, user_id, batch_no, lease, instance_id)
            select ${batch.sweepId}, u.value, ${batch.batchNo}, ${batch.lease}, ${instanceId()}
              from jsonb_array_elements_text(${JSON.stringify(offered.map((e) => e.id))}::jsonb) as u(value)
             where exists (select 1 from sweep_batches b join sweep_runs r on r.id = b.sweep_id
                            where b.sweep_id = ${batch.sweepId} and b.batch_no = ${batch.batchNo}
                              and b.attempt = ${batch.lease} and b.status = 'running' and r.status = 'running')
            on conflict do nothing
            returning user_id`),
        ).map((r) => r.user_id),
      );
      const lost = won.size === 0 && offered.length > 0 && !(await this.holdsLease(db, batch));
      for (const entry of offered) {
        if (won.has(entry.id)) {
          entry.state = "claimed";
          batch.ready.push(entry); // a stopped batch gives these back when it finishes
        } // else: claimed in this sweep by another worker; it stays a candidate, which the cursor passes
      }
      this.claiming = batch.claiming = false;
      if (lost) return this.stopBatch(batch, "lease"); // taken over, or the run stopped
    } catch (e) {
      this.claiming = batch.claiming = false;
      return this.stopBatch(batch, "error", e);
    }
    this.advancePrefix(batch);
    this.pump();
    this.maybeFinish(batch);
  }

  private async holdsLease(db: Database, batch: Batch): Promise<boolean> {
    const [row] = await db
      .select({ attempt: sweepBatches.attempt })
      .from(sweepBatches)
      .where(
        and(
          eq(sweepBatches.sweepId, batch.sweepId),
          eq(sweepBatches.batchNo, batch.batchNo),
          eq(sweepBatches.attempt, batch.lease),
          eq(sweepBatches.status, "running"),
          sql`exists (select 1 from sweep_runs where id = ${batch.sweepId} and status = 'running')`,
        ),
      );
    return row !== undefined;
  }

  private async call(batch: Batch, entry: Entry): Promise<void> {
    batch.inFlight++;
    this.inFlight++;
    entry.state = "calling";
    try {
      const { jobs } = await this.options
        .client()
        .listUserJobs(entry.id, { userId: entry.id, signal: batch.calls.signal, lane: "background" });
      for (const job of jobs) entry.rows.push(jobRunValues(job, entry.id, batch.sweepId));
      this.failedInARow = 0;
      entry.result = "checked";
    } catch (e) {
      if (!batch.calls.signal.aborted) this.failed(batch, entry, e);
    } finally {
      batch.inFlight--;
      this.inFlight--;
    }
    if (entry.result) {
      entry.state = "answered";
      batch.answered.push(entry);
      this.flushSoon();
    } else entry.state = "lost"; // aborted in flight: it may have reached Basiq, so it is not called again
    this.pump();
    this.maybeFinish(batch);
  }

  private failed(batch: Batch, entry: Entry, e: unknown) {
    if (isBasiqNotFound(e)) {
      entry.result = "not_found"; // deleted at Basiq: checked, not an error
      return;
    }
    if (!isBasiqError(e)) return this.stopBatch(batch, "error", e); // a bug: not something to count and skip
    entry.result = "error";
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

  /** Basiq is down or refuses us: stop the whole sweep here and record why (other instances stop at their next write). */
  private outage(sweepId: number, message: string) {
    const mine = this.batches.filter((b) => b.sweepId === sweepId);
    // The failing stretch is not stored (errors wait while a run of failures lasts): the next run reads it again.
    this.write(async (db) => {
      await failSweep(db, sweepId, message);
    });
    for (const b of mine) this.stopBatch(b, "outage");
  }

  /** Entries whose result may be written now: errors wait while a run of failures lasts (it may be an outage). */
  private writable(batch: Batch): Entry[] {
    if (batch.stopped === "outage") return [];
    if (this.failedInARow === 0 || batch.finishing) return batch.answered;
    return batch.answered.filter((e) => e.result !== "error");
  }

  /** Writes answered results soon: at once when CLAIM_AHEAD are waiting, else after FLUSH_MS. */
  private flushSoon() {
    if (this.flushQueued) return;
    const waiting = this.batches.reduce((n, b) => n + this.writable(b).length, 0);
    if (waiting === 0) return;
    if (waiting >= CLAIM_AHEAD) {
      if (this.flushTimer) clearTimeout(this.flushTimer);
      this.flushTimer = null;
      this.flushQueued = true;
      this.write(async (db) => {
        this.flushQueued = false;
        for (const batch of [...this.batches]) if (!batch.finishing) await this.store(db, batch, false);
        this.flushSoon();
      });
    } else if (!this.flushTimer) {
      this.flushTimer = setTimeout(() => {
        this.flushTimer = null;
        if (this.flushQueued) return;
        this.flushQueued = true;
        this.write(async (db) => {
          this.flushQueued = false;
          for (const batch of [...this.batches]) if (!batch.finishing) await this.store(db, batch, false);
          this.flushSoon();
        });
      }, FLUSH_MS);
      this.flushTimer.unref();
    }
  }

  private advancePrefix(batch: Batch) {
    while (batch.prefix < batch.claimedUpTo && ["stored", "candidate"].includes(batch.entries[batch.prefix]!.state)) batch.prefix++;
  }

  private maybeFinish(batch: Batch) {
    if (batch.finishing || !batch.drained()) return;
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
    if (batch.stopped !== "outage") await this.store(db, batch, !batch.stopped);
    // Claimed, never called: given back while this worker still holds the batch (a retry or continuation loads
    // them again). After a takeover the new worker has already left them out, so they stay claimed: unconfirmed.
    if (batch.stopped !== "lease") await this.release(db, batch);
    this.batches = this.batches.filter((b) => b !== batch);
    this.pump();
    if (!batch.stopped) {
      const run = await finishSweepIfDone(db, batch.sweepId);
      if (run) await this.options.onCompleted?.(run);
      return batch.settle.resolve();
    }
    if (batch.stopped === "error") return batch.settle.reject(batch.error);
    if (batch.stopped === "expired") return batch.settle.resolve(); // the engine already failed the job: it retries
    if (batch.stopped === "deadline" && this.options.continueBatch) {
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

  /** Gives back claims this worker never called (it stopped before), so the batch's next worker takes them. */
  private async release(db: Database, batch: Batch): Promise<void> {
    const ids = batch.ready.filter((e) => e.state === "claimed").map((e) => e.id);
    for (const e of batch.ready) e.state = "released";
    batch.ready = [];
    if (ids.length === 0) return;
    await db.execute(sql`
      delete from sweep_claims
       where sweep_id = ${batch.sweepId} and lease = ${batch.lease} and result is null
         and user_id in (select value from jsonb_array_elements_text(${JSON.stringify(ids)}::jsonb))`);
  }

  /**
   * Writes the batch's answered results: the job rows, each claim's result, the batch's counters and cursor (and
   * `done` when `complete`), the instance's share. A lost lease or a stopped run stops the batch (what it stored
   * stays: each of those calls was made once).
   */
  private async store(db: Database, batch: Batch, complete: boolean): Promise<void> {
    const slice = this.writable(batch);
    if (slice.length === 0 && !complete) return;
    batch.answered = batch.answered.filter((e) => !slice.includes(e));
    const stored = await upsertJobRows(db, slice.flatMap((e) => e.rows));
    for (const e of slice) e.state = "stored";
    this.advancePrefix(batch);
    const done = complete && batch.prefix === batch.entries.length;
    const count = (r: Result) => slice.filter((e) => e.result === r).length;
    const checked = slice.length;
    const cursor = batch.prefix > 0 ? batch.entries[batch.prefix - 1]!.id : null;
    const results = JSON.stringify(slice.map((e) => ({ u: e.id, r: e.result })));
    const [row] = rowsOf<{ lease_ok: boolean }>(
      await db.execute(sql`
        with recorded as (
          update sweep_claims c set result = v.r
            from jsonb_to_recordset(${results}::jsonb) as v(u text, r text)
           where c.sweep_id = ${batch.sweepId} and c.user_id = v.u
          returning 1
        ), share as (
          insert into sweep_shares (sweep_id, instance_id, users_checked)
          select ${batch.sweepId}, ${instanceId()}, ${checked} where ${checked} > 0
          on conflict (sweep_id, instance_id) do update set users_checked = sweep_shares.users_checked + excluded.users_checked
          returning 1
        ), mine as (
          select (b.attempt = ${batch.lease} and b.status = 'running'
                  and exists (select 1 from sweep_runs r where r.id = b.sweep_id and r.status = 'running')) as ok
            from sweep_batches b where b.sweep_id = ${batch.sweepId} and b.batch_no = ${batch.batchNo}
        )
        update sweep_batches set
          users_checked = users_checked + ${checked},
          users_not_found = users_not_found + ${count("not_found")},
          errors = errors + ${count("error")},
          jobs_new = jobs_new + ${stored.inserted},
          jobs_updated = jobs_updated + ${stored.updated},
          new_failures = new_failures + ${stored.newFailures},
          cursor = case when (select ok from mine) then coalesce(${cursor}, cursor) else cursor end,
          status = case when (select ok from mine) and ${done} then 'done' else status end,
          updated_at = now()
         where sweep_id = ${batch.sweepId} and batch_no = ${batch.batchNo}
        returning (select ok from mine) as lease_ok, (select count(*) from recorded) + (select count(*) from share) as n`),
    );
    if (!row?.lease_ok && !batch.stopped) this.stopBatch(batch, "lease"); // taken over, or the run was stopped
    if (complete && !done && !batch.stopped) this.stopBatch(batch, "error", new Error(`batch ${batch.batchNo}: not every user was stored`));
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
