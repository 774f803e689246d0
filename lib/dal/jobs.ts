import "server-only";

// Jobs for support and admin: a user's or connection's job history (fetched fresh from Basiq when a page opens,
// then stored), one job with its remediation, and the error log of failed jobs across all users.
import { createHash } from "node:crypto";
import { isDeepStrictEqual } from "node:util";
import { cache } from "react";

import { and, asc, count, desc, eq, gt, gte, isNotNull, isNull, lt, or, sql, type SQL } from "drizzle-orm";

import { recordAudit } from "@/lib/audit";
import { requirePermission } from "@/lib/auth/session";
import { basiq } from "@/lib/basiq";
import { isBasiqError } from "@/lib/basiq/errors";
import {
  averageJobDurationMs,
  isJobStuck,
} from "@/lib/basiq/job-codes";
import type { Job, JobDetail } from "@/lib/basiq/schemas";
import { csvCell } from "@/lib/csv";
import { getDb } from "@/lib/db";
import { jobRuns, sweepRuns } from "@/lib/db/schema";
import { NotFoundError } from "@/lib/errors";
import { jobRunValues, upsertJobs, type JobRunValues } from "@/lib/jobs/store";
import { connectionIdOfJob, failedStep, jobOutcome, type JobLike, type JobOutcome } from "@/lib/jobs/outcome";
import { env } from "@/lib/env";
import { dateBounds, type DatePreset } from "@/lib/list/dates";
import { log } from "@/lib/log";
import { verdictOfFailure } from "@/lib/remediation/connector-at";
import type { Verdict } from "@/lib/remediation/verdict";

import { cachedConnectorStatus } from "./connectors";
import type { BasiqProblemDTO } from "./basiq-problem";
import { basiqUserIdSchema, connectionIdSchema, jobIdSchema } from "./ids";
import { liveUserJobs } from "./live";
import { storedUserRow } from "./users";
import { liveOrStored, pageDeadline } from "./live-or-stored";

export interface JobStepDTO {
  title: string;
  status: string;
  result: { code: string | null; title: string | null; detail: string | null; url: string | null } | null;
}

export interface JobRowDTO {
  id: string;
  userId: string;
  connectionId: string | null;
  institutionId: string | null;
  created: string | null;
  updated: string | null;
  outcome: JobOutcome;
  failedStep: string | null;
  errorCode: string | null;
  errorTitle: string | null;
}

export interface JobHistoryDTO {
  jobs: JobRowDTO[];
  source: "basiq" | "stored";
  basiqProblem: BasiqProblemDTO | null;
  storedAt: string | null;
}

function iso(value: string | Date | null | undefined): string | null {
  if (!value) return null;
  const d = value instanceof Date ? value : new Date(value);
  return Number.isNaN(d.getTime()) ? null : d.toISOString();
}

function rowFromBasiq(job: JobLike & { institution?: { id?: string } }, userId: string): JobRowDTO {
  const failed = failedStep(job);
  return {
    id: job.id,
    userId,
    connectionId: connectionIdOfJob(job) ?? null,
    institutionId: job.institution?.id ?? null,
    created: iso(job.created),
    updated: iso(job.updated),
    outcome: jobOutcome(job),
    failedStep: failed?.title ?? null,
    errorCode: failed?.result?.code ?? null,
    errorTitle: failed?.result?.title ?? null,
  };
}

function rowFromStore(r: typeof jobRuns.$inferSelect): JobRowDTO {
  return {
    id: r.id,
    userId: r.userId,
    connectionId: r.connectionId,
    institutionId: r.institutionId,
    created: iso(r.createdAt),
    updated: iso(r.updatedAt),
    outcome: r.outcome as JobOutcome,
    failedStep: r.failedStep,
    errorCode: r.errorCode,
    errorTitle: r.errorTitle,
  };
}

const newestFirst = (a: JobRowDTO, b: JobRowDTO) => (b.created ?? "").localeCompare(a.created ?? "");

/** How long a page view trusts that job history it stored itself is still stored unchanged. */
export const JOB_WRITE_BACK_MEMORY_MS = 5 * 60_000;
const MAX_REMEMBERED_HISTORIES = 5_000;
const storedHistories = new Map<string, { fingerprint: string; at: number }>();

/**
 * Stores a job history a page read, unless this process stored exactly the same history for the same user (and
 * connection) in the last JOB_WRITE_BACK_MEMORY_MS: reopening a page then costs the database nothing (issue 15:
 * write-backs were most of a user page's statements). Anything new or changed is written at once.
 */
async function writeBackJobs(db: Awaited<ReturnType<typeof getDb>>, userId: string, connectionId: string | undefined, jobs: Job[]) {
  const key = `${userId}|${connectionId ?? ""}`;
  const fingerprint = createHash("sha256").update(JSON.stringify(jobs)).digest("base64url");
  const known = storedHistories.get(key);
  if (known && known.fingerprint === fingerprint && Date.now() - known.at < JOB_WRITE_BACK_MEMORY_MS) return;
  await upsertJobs(db, userId, jobs, null);
  storedHistories.delete(key); // re-inserted last: the map's order is oldest first
  storedHistories.set(key, { fingerprint, at: Date.now() });
  if (storedHistories.size > MAX_REMEMBERED_HISTORIES) storedHistories.delete(storedHistories.keys().next().value!);
}

/** True when storing `values` would change nothing in `stored` (but its last-seen time). */
export function sameJobAsStored(values: JobRunValues, stored: typeof jobRuns.$inferSelect): boolean {
  const time = (d: Date | null | undefined) => d?.getTime() ?? null;
  return (
    values.userId === stored.userId &&
    (values.connectionId ?? null) === stored.connectionId &&
    (values.institutionId ?? null) === stored.institutionId &&
    values.outcome === stored.outcome &&
    (values.failedStep ?? null) === stored.failedStep &&
    (values.errorCode ?? null) === stored.errorCode &&
    (values.errorTitle ?? null) === stored.errorTitle &&
    (values.errorDetail ?? null) === stored.errorDetail &&
    (values.errorUrl ?? null) === stored.errorUrl &&
    time(values.createdAt) === time(stored.createdAt) &&
    time(values.updatedAt) === time(stored.updatedAt) &&
    isDeepStrictEqual(JSON.parse(JSON.stringify(values.steps ?? [])), stored.steps)
  );
}

/** Tests: forget which histories were stored. */
export function forgetStoredHistoriesForTests(): void {
  storedHistories.clear();
}

/**
 * A user's jobs (optionally one connection's), fresh from Basiq — Basiq's "check jobs when the user comes back" —
 * and stored in job_runs. When Basiq fails, the stored history is shown instead.
 */
export async function getJobHistory(rawUserId: string, rawConnectionId?: string): Promise<JobHistoryDTO> {
  await requirePermission("jobs.read");
  const userId = basiqUserIdSchema.safeParse(rawUserId);
  const connectionId = rawConnectionId === undefined ? undefined : connectionIdSchema.safeParse(rawConnectionId);
  if (!userId.success || (connectionId && !connectionId.success)) throw new NotFoundError("That user");
  const db = await getDb();
  const result = await liveOrStored({
    what: "That user",
    ids: { userId: userId.data, connectionId: connectionId?.data },
    live: () => liveUserJobs(userId.data, connectionId?.data),
    fromLive: ({ jobs }) => jobs.map((j: Job) => rowFromBasiq(j, userId.data)).sort(newestFirst),
    writeBack: ({ jobs }) => writeBackJobs(db, userId.data, connectionId?.data, jobs),
    stored: async () => {
      const rows = await db
        .select()
        .from(jobRuns)
        .where(and(eq(jobRuns.userId, userId.data), connectionId ? eq(jobRuns.connectionId, connectionId.data!) : undefined))
        .orderBy(desc(jobRuns.createdAt))
        .limit(100);
      const storedAt = rows.reduce<Date | null>((latest, r) => (!latest || r.lastSeenAt > latest ? r.lastSeenAt : latest), null);
      return { data: rows.map(rowFromStore), storedAt };
    },
  });
  return {
    jobs: result.data,
    source: result.source === "live" ? "basiq" : "stored",
    basiqProblem: result.problem,
    storedAt: result.storedAt,
  };
}

export interface JobConnectorDTO {
  id: string;
  method: string;
  name: string;
  status: string;
  stage: string | null;
  /** Basiq's `stats.averageDurationMs` of the connector, when known. */
  averageDurationMs: Record<string, number> | null;
  /** When Basiq could not be asked: when the stored status was fetched. */
  lastKnownFrom: string | null;
}

export interface JobDetailDTO extends JobRowDTO {
  connector: JobConnectorDTO | null;
  steps: JobStepDTO[];
  running: boolean;
  /** Running for longer than 3 × the connector's average job duration. */
  stuck: boolean;
  /** The connector's average job duration (ms), when Basiq gives one. */
  averageDurationMs: number | null;
  failedResult: JobStepDTO["result"];
  remediation: Verdict | null;
  source: "basiq" | "stored";
  basiqProblem: BasiqProblemDTO | null;
  storedAt: string | null;
}

function stepsOf(job: JobDetail): JobStepDTO[] {
  return (job.steps ?? []).map((s) => ({
    title: s.title ?? "step",
    status: s.status ?? "pending",
    result: s.result
      ? {
          code: s.result.code ?? null,
          title: s.result.title ?? null,
          detail: s.result.detail ?? s.result.details ?? null,
          url: s.result.url ?? null,
        }
      : null,
  }));
}

function userIdOfLink(link: string | undefined): string | undefined {
  const m = link?.match(/\/users\/([^/?#]+)/);
  return m?.[1] ? decodeURIComponent(m[1]) : undefined;
}

/** A job's stored row, once per request (the shell and the live section share it). Callers check the policy. */
const storedJobRow = cache(async (jobId: string) => {
  const db = await getDb();
  const [row] = await db.select().from(jobRuns).where(eq(jobRuns.id, jobId)).limit(1);
  return row;
});

/** A job from Basiq within the page's deadline, once per request. Callers check the policy. */
const liveJob = cache((jobId: string) => basiq().getJob(jobId, { jobId, signal: pageDeadline().signal }));

/** What the job page shows before Basiq answers: the stored copy's ids and owner. */
export interface JobShellDTO {
  id: string;
  userId: string;
  connectionId: string | null;
  institutionId: string | null;
}

/**
 * The job page's first step (issue 18 item 14): starts the Basiq call now and answers from the stored copy, so
 * the page streams its shell while the live job waits for Basiq. A job we never stored is decided by Basiq
 * before anything is sent: an unknown id is a real 404 (NotFoundError), Basiq down is the BasiqError.
 */
export async function getJobShell(rawJobId: string): Promise<JobShellDTO> {
  await requirePermission("jobs.read");
  const jobId = jobIdSchema.safeParse(rawJobId);
  if (!jobId.success) throw new NotFoundError("That job");
  liveJob(jobId.data).catch(() => {}); // the live section reports failures
  const stored = await storedJobRow(jobId.data);
  if (stored) return { id: stored.id, userId: stored.userId, connectionId: stored.connectionId, institutionId: stored.institutionId };
  const job = await getJobDetail(jobId.data);
  return { id: job.id, userId: job.userId, connectionId: job.connectionId, institutionId: job.institutionId };
}

export async function getJobDetail(rawJobId: string): Promise<JobDetailDTO> {
  await requirePermission("jobs.read");
  const jobId = jobIdSchema.safeParse(rawJobId);
  if (!jobId.success) throw new NotFoundError("That job");
  const db = await getDb();
  // Read at once, beside the Basiq call: the live view uses it too (owner, connection) when Basiq omits them.
  const storedRow = storedJobRow(jobId.data);
  storedRow.catch(() => {});
  // The connector's status is looked up beside the Basiq call too, from the stored copy's bank and connection.
  const storedConnector = storedRow.then((row) => (row ? connectorOfJob(rowFromStore(row)) : null));
  storedConnector.catch(() => {});
  const result = await liveOrStored({
    what: "That job",
    ids: { jobId: jobId.data },
    live: async () => ({ job: await liveJob(jobId.data), stored: await storedRow }),
    fromLive: ({ job, stored }) => {
      const userId = userIdOfLink(job.links?.source) ?? stored?.userId ?? "";
      const like: JobLike = { id: job.id, created: job.created, updated: job.updated, steps: job.steps, links: job.links };
      const base: JobRowDTO = {
        ...rowFromBasiq({ ...like, institution: job.institution }, userId),
        connectionId: connectionIdOfJob(like) ?? stored?.connectionId ?? null,
      };
      return { base, steps: stepsOf(job) };
    },
    writeBack: async ({ job, stored }) => {
      const userId = userIdOfLink(job.links?.source) ?? stored?.userId;
      if (!userId) return;
      // Reopening a job page whose job has not changed writes nothing (the stored copy is recent and the same).
      if (stored && Date.now() - stored.lastSeenAt.getTime() < JOB_WRITE_BACK_MEMORY_MS && sameJobAsStored(jobRunValues(job, userId, null), stored)) return;
      await upsertJobs(db, userId, [job as unknown as Job], null);
    },
    stored: async () => {
      const stored = await storedRow;
      if (!stored) return null;
      const steps = stored.steps.map((s) => ({
        title: s.title ?? "step",
        status: s.status ?? "pending",
        result: s.result ? { code: s.result.code ?? null, title: s.result.title ?? null, detail: s.result.detail ?? null, url: s.result.url ?? null } : null,
      }));
      return { data: { base: rowFromStore(stored), steps }, storedAt: stored.lastSeenAt };
    },
  });
  const { base, steps } = result.data;
  const failed = steps.find((s) => s.status === "failed");
  const stored = await storedRow.catch(() => undefined);
  const sameConnection =
    stored && stored.userId === base.userId && stored.connectionId === base.connectionId && stored.institutionId === base.institutionId;
  const connector = sameConnection ? await storedConnector : await connectorOfJob(base);
  const running = base.outcome === "in-progress" || base.outcome === "pending";
  const averageDurationMs = averageJobDurationMs(connector?.averageDurationMs);
  return {
    ...base,
    connector,
    steps,
    running,
    stuck: isJobStuck({ running, created: base.created }, averageDurationMs),
    averageDurationMs,
    failedResult: failed?.result ?? null,
    // The one verdict: judged by the connector's status when the job failed, not by its status now.
    remediation: failed
      ? await verdictOfFailure(
          db,
          { code: failed.result?.code, stepTitle: failed.title, title: failed.result?.title, detail: failed.result?.detail },
          base.updated ?? base.created,
          connector,
        )
      : null,
    source: result.source === "live" ? "basiq" : "stored",
    basiqProblem: result.problem,
    storedAt: result.storedAt,
  };
}

/**
 * The connector behind a job, with its current status ("the bank is having an outage" beats "new password?").
 * A job does not carry its connection's method: it comes from the directory's copy of the user's connections,
 * else from the connection itself at Basiq (one call). Never guessed: an unknown method means an unknown
 * connector (null), not the `web` one.
 */
async function connectorOfJob(job: JobRowDTO): Promise<JobConnectorDTO | null> {
  if (!job.institutionId || !job.userId) return null;
  try {
    const method = await connectionMethod(job.userId, job.connectionId);
    if (!method) return null;
    return await cachedConnectorStatus(job.institutionId, method);
  } catch (e) {
    log.warn({ userId: job.userId, connectionId: job.connectionId, jobId: job.id, err: (e as Error).name }, "connector status for a job unavailable");
    return null;
  }
}

/** The method of a job's connection: the directory's copy, else Basiq's connection; null when neither knows. */
async function connectionMethod(userId: string, connectionId: string | null): Promise<string | null> {
  if (!connectionId) return null;
  const user = await storedUserRow(userId); // once per request: the page's person name reads the same row
  const known = user?.connections.find((c) => c.id === connectionId)?.method;
  if (known) return known;
  try {
    return (await basiq().getConnection(userId, connectionId, { userId, connectionId })).method;
  } catch (e) {
    log.info({ userId, connectionId, correlationId: isBasiqError(e) ? e.correlationId : undefined }, "connection method of a job unknown");
    return null;
  }
}

// ---------------------------------------------------------------------------------------------------------
// The error log

export interface ErrorLogFilters {
  code?: string;
  step?: string;
  institution?: string;
  userId?: string;
  from?: string; // yyyy-mm-dd
  to?: string; // yyyy-mm-dd, inclusive
  range?: DatePreset; // Today / 24 h / 7 d / 30 d, instead of from/to
  before?: string; // keyset cursor "<createdAt iso>|<id>" ("none|<id>" for a job without a creation time)
  after?: string; // the page newer than this cursor ("Previous")
}

/** Dates are days in CONSOLE_TIME_ZONE (lib/list/dates.ts), `to` inclusive; a preset wins over them. */
export function errorLogWhere(f: ErrorLogFilters): SQL | undefined {
  const { start, end } = dateBounds(f, env().consoleTimeZone);
  return and(
    eq(jobRuns.outcome, "failed"),
    f.code ? eq(jobRuns.errorCode, f.code) : undefined,
    f.step ? eq(jobRuns.failedStep, f.step) : undefined,
    f.institution ? eq(jobRuns.institutionId, f.institution) : undefined,
    f.userId ? eq(jobRuns.userId, f.userId) : undefined,
    start ? gte(jobRuns.createdAt, start) : undefined,
    end ? lt(jobRuns.createdAt, end) : undefined,
  );
}

export interface ErrorLogDTO {
  rows: (JobRowDTO & { newSinceLastSweep: boolean })[];
  total: number;
  /** Where this page sits among the `total` failed jobs (1-based; 0 when none). */
  first: number;
  last: number;
  countsByCode: { code: string; jobs: number }[];
  /** Cursor of the next (older) page, or null on the last page. */
  nextBefore: string | null;
  /** There are newer failures; previousAfter is the cursor of that page, or null when it is the first page. */
  hasPrevious: boolean;
  previousAfter: string | null;
  lastSweep: { id: number; finishedAt: string | null } | null;
}

// The error log is ordered newest first, jobs without a creation time last: (created_at desc nulls last, id desc).
interface JobKey {
  createdAt: Date | null;
  id: string;
}

function jobCursor(k: JobKey): string {
  return `${k.createdAt ? k.createdAt.toISOString() : "none"}|${k.id}`;
}

function parseJobCursor(cursor: string | undefined): JobKey | null {
  if (!cursor) return null;
  const bar = cursor.indexOf("|");
  const at = cursor.slice(0, bar);
  const id = cursor.slice(bar + 1);
  if (bar < 1 || !id) return null;
  if (at === "none") return { createdAt: null, id };
  const date = new Date(at);
  return Number.isNaN(date.getTime()) ? null : { createdAt: date, id };
}

/** Rows after `k` in the log's order (older). */
function olderThan(k: JobKey): SQL | undefined {
  if (!k.createdAt) return and(isNull(jobRuns.createdAt), lt(jobRuns.id, k.id));
  return or(lt(jobRuns.createdAt, k.createdAt), and(eq(jobRuns.createdAt, k.createdAt), lt(jobRuns.id, k.id)), isNull(jobRuns.createdAt));
}

/** Rows before `k` in the log's order (newer). */
function newerThan(k: JobKey): SQL | undefined {
  if (!k.createdAt) return or(isNotNull(jobRuns.createdAt), and(isNull(jobRuns.createdAt), gt(jobRuns.id, k.id)));
  return or(gt(jobRuns.createdAt, k.createdAt), and(eq(jobRuns.createdAt, k.createdAt), gt(jobRuns.id, k.id)));
}

const logOrder = [sql`${jobRuns.createdAt} desc nulls last`, desc(jobRuns.id)];
const reverseLogOrder = [sql`${jobRuns.createdAt} asc nulls first`, asc(jobRuns.id)];

/**
 * One page of the error log with the list kit's totals. Rows are fetched by keyset (`before`: older than the
 * cursor; `after`: the page newer than it, for "Previous"), so a deep page in a big job store costs what the first
 * does; "51–100 of 1,234" is two counts over the same filter (job_runs_outcome_created_idx).
 */
export async function listFailedJobs(f: ErrorLogFilters, pageSize = 50): Promise<ErrorLogDTO> {
  await requirePermission("jobs.read");
  const db = await getDb();
  const where = errorLogWhere(f);
  const before = parseJobCursor(f.before);
  const after = before ? null : parseJobCursor(f.after);
  const newest = () =>
    db
      .select()
      .from(jobRuns)
      .where(and(where, before ? olderThan(before) : undefined))
      .orderBy(...logOrder)
      .limit(pageSize);
  const [fetched, [totals], byCode, [lastSweep]] = await Promise.all([
    after
      ? db
          .select()
          .from(jobRuns)
          .where(and(where, newerThan(after)))
          .orderBy(...reverseLogOrder)
          .limit(pageSize + 1)
      : newest(),
    db.select({ total: count() }).from(jobRuns).where(where),
    db
      .select({ code: sql<string>`coalesce(${jobRuns.errorCode}, 'unknown')`, jobs: count() })
      .from(jobRuns)
      .where(where)
      .groupBy(sql`1`)
      .orderBy(desc(count())),
    db
      .select({ id: sweepRuns.id, finishedAt: sweepRuns.finishedAt })
      .from(sweepRuns)
      .where(eq(sweepRuns.status, "completed"))
      .orderBy(desc(sweepRuns.id))
      .limit(1),
  ]);
  // More than a page newer than the `after` cursor: the page just before it. Otherwise that page is the first one.
  const page = after ? (fetched.length > pageSize ? fetched.slice(0, pageSize).reverse() : await newest()) : fetched;
  const top = page[0];
  const [newer] = top ? await db.select({ n: count() }).from(jobRuns).where(and(where, newerThan(top))) : [{ n: 0 }];
  const total = totals?.total ?? 0;
  const above = newer?.n ?? 0;
  const last = page.length ? above + page.length : 0;
  const bottom = page.at(-1);
  return {
    rows: page.map((r) => ({ ...rowFromStore(r), newSinceLastSweep: !!lastSweep && r.firstSeenSweepId === lastSweep.id })),
    total,
    first: page.length ? above + 1 : 0,
    last,
    countsByCode: byCode.map((c) => ({ code: c.code, jobs: c.jobs })),
    nextBefore: bottom && last < total ? jobCursor(bottom) : null,
    hasPrevious: above > 0,
    previousAfter: top && above > pageSize ? jobCursor(top) : null,
    lastSweep: lastSweep ? { id: lastSweep.id, finishedAt: iso(lastSweep.finishedAt) } : null,
  };
}

const CSV_LIMIT = 50_000;

/** CSV of the current filter (support/admin), audited with the filter and the row count. */
export async function exportFailedJobsCsv(f: ErrorLogFilters): Promise<string> {
  const caller = await requirePermission("jobs.export");
  const db = await getDb();
  const rows = await db
    .select()
    .from(jobRuns)
    .where(errorLogWhere(f))
    .orderBy(...logOrder)
    .limit(CSV_LIMIT);
  const header = ["job_id", "user_id", "connection_id", "institution_id", "created", "updated", "failed_step", "error_code", "error_title", "error_detail"];
  const lines = rows.map((r) =>
    [r.id, r.userId, r.connectionId, r.institutionId, iso(r.createdAt), iso(r.updatedAt), r.failedStep, r.errorCode, r.errorTitle, r.errorDetail]
      .map(csvCell)
      .join(","),
  );
  const { before: _before, after: _after, ...filter } = f;
  await recordAudit({
    actor: { id: caller.id, email: caller.email, role: caller.role },
    action: "jobs.export",
    outcome: "success",
    details: { filter, rows: rows.length },
  });
  return [header.join(","), ...lines].join("\r\n") + "\r\n";
}
