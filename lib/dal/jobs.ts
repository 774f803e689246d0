import "server-only";

// Jobs for support and admin: a user's or connection's job history (fetched fresh from Basiq when a page opens,
// then stored), one job with its remediation, and the error log of failed jobs across all users.
import { and, count, desc, eq, gte, lt, or, sql, type SQL } from "drizzle-orm";

import { recordAudit } from "@/lib/audit";
import { can } from "@/lib/auth/policy";
import { requirePermission } from "@/lib/auth/session";
import { basiq } from "@/lib/basiq";
import { isBasiqError } from "@/lib/basiq/errors";
import {
  averageJobDurationMs,
  type ConnectorAwareRemediation,
  isJobStuck,
  remediationWithConnector,
} from "@/lib/basiq/job-codes";
import type { Job, JobDetail } from "@/lib/basiq/schemas";
import { csvCell } from "@/lib/csv";
import { getDb } from "@/lib/db";
import { basiqUsers, jobRuns, sweepRuns } from "@/lib/db/schema";
import { NotFoundError } from "@/lib/errors";
import { upsertJobs } from "@/lib/jobs/store";
import { connectionIdOfJob, failedStep, jobOutcome, type JobLike, type JobOutcome } from "@/lib/jobs/outcome";
import { env } from "@/lib/env";
import { dateBounds, type DatePreset } from "@/lib/list/dates";
import { log } from "@/lib/log";

import { cachedConnectorStatus } from "./connectors";
import type { BasiqProblemDTO } from "./basiq-problem";
import { basiqUserIdSchema, connectionIdSchema, jobIdSchema } from "./ids";
import { liveUserJobs } from "./live";
import { liveOrStored } from "./live-or-stored";

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
    writeBack: ({ jobs }) => upsertJobs(db, userId.data, jobs, null),
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

/** Starts a user's (or a connection's) job history read now, so a page's Basiq calls run at once, not in turn. */
export async function preloadJobHistory(rawUserId: string, rawConnectionId?: string): Promise<void> {
  const caller = await requirePermission("users.read");
  if (!can(caller.role, "jobs.read")) return;
  const userId = basiqUserIdSchema.safeParse(rawUserId);
  const connectionId = rawConnectionId === undefined ? undefined : connectionIdSchema.safeParse(rawConnectionId);
  if (!userId.success || (connectionId && !connectionId.success)) return;
  liveUserJobs(userId.data, connectionId?.data).catch(() => {}); // the section that awaits it reports failures
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
  remediation: Readonly<ConnectorAwareRemediation> | null;
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

export async function getJobDetail(rawJobId: string): Promise<JobDetailDTO> {
  await requirePermission("jobs.read");
  const jobId = jobIdSchema.safeParse(rawJobId);
  if (!jobId.success) throw new NotFoundError("That job");
  const db = await getDb();
  // Read at once, beside the Basiq call: the live view uses it too (owner, connection) when Basiq omits them.
  const storedRow = db.select().from(jobRuns).where(eq(jobRuns.id, jobId.data)).limit(1).then(([row]) => row);
  storedRow.catch(() => {});
  const result = await liveOrStored({
    what: "That job",
    ids: { jobId: jobId.data },
    live: async (signal) => ({ job: await basiq().getJob(jobId.data, { jobId: jobId.data, signal }), stored: await storedRow }),
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
      if (userId) await upsertJobs(db, userId, [job as unknown as Job], null);
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
  const connector = await connectorOfJob(base);
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
    remediation: failed
      ? remediationWithConnector(
          { code: failed.result?.code, stepTitle: failed.title, title: failed.result?.title, detail: failed.result?.detail },
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
  const db = await getDb();
  const [user] = await db.select({ connections: basiqUsers.connections }).from(basiqUsers).where(eq(basiqUsers.id, userId)).limit(1);
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
  before?: string; // keyset cursor "<createdAt iso>|<id>"
}

/** Dates are days in CONSOLE_TIME_ZONE (lib/list/dates.ts), `to` inclusive; a preset wins over them. */
function errorLogWhere(f: ErrorLogFilters): SQL | undefined {
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
  countsByCode: { code: string; jobs: number }[];
  nextBefore: string | null;
  lastSweep: { id: number; finishedAt: string | null } | null;
}

export async function listFailedJobs(f: ErrorLogFilters, pageSize = 50): Promise<ErrorLogDTO> {
  await requirePermission("jobs.read");
  const db = await getDb();
  const where = errorLogWhere(f);
  let cursor: SQL | undefined;
  if (f.before) {
    const [at, id] = f.before.split("|");
    const date = new Date(at ?? "");
    if (!Number.isNaN(date.getTime()) && id) {
      cursor = or(lt(jobRuns.createdAt, date), and(eq(jobRuns.createdAt, date), lt(jobRuns.id, id)));
    }
  }
  const [rows, [totals], byCode, [lastSweep]] = await Promise.all([
    db
      .select()
      .from(jobRuns)
      .where(and(where, cursor))
      .orderBy(sql`${jobRuns.createdAt} desc nulls last`, desc(jobRuns.id))
      .limit(pageSize + 1),
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
  const page = rows.slice(0, pageSize);
  const last = page.at(-1);
  return {
    rows: page.map((r) => ({ ...rowFromStore(r), newSinceLastSweep: !!lastSweep && r.firstSeenSweepId === lastSweep.id })),
    total: totals?.total ?? 0,
    countsByCode: byCode.map((c) => ({ code: c.code, jobs: c.jobs })),
    nextBefore: rows.length > pageSize && last ? `${iso(last.createdAt) ?? ""}|${last.id}` : null,
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
    .orderBy(sql`${jobRuns.createdAt} desc nulls last`, desc(jobRuns.id))
    .limit(CSV_LIMIT);
  const header = ["job_id", "user_id", "connection_id", "institution_id", "created", "updated", "failed_step", "error_code", "error_title", "error_detail"];
  const lines = rows.map((r) =>
    [r.id, r.userId, r.connectionId, r.institutionId, iso(r.createdAt), iso(r.updatedAt), r.failedStep, r.errorCode, r.errorTitle, r.errorDetail]
      .map(csvCell)
      .join(","),
  );
  const { before: _before, ...filter } = f;
  await recordAudit({
    actor: { id: caller.id, email: caller.email, role: caller.role },
    action: "jobs.export",
    outcome: "success",
    details: { filter, rows: rows.length },
  });
  return [header.join(","), ...lines].join("\r\n") + "\r\n";
}
