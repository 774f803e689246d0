import "server-only";

// Job history kept in job_runs: Basiq jobs mapped to rows and upserted by job id, so reading the same job again
// (the next sweep, a page view) updates it instead of duplicating it. Used by the sweep and by pages that fetch
// a user's jobs fresh and store them on the way.
import { sql, type SQL } from "drizzle-orm";

import type { BasiqClient } from "@/lib/basiq/client";
import type { Job } from "@/lib/basiq/schemas";
import { rowsOf, type Database } from "@/lib/db/client";
import { type jobRuns, type StoredJobStep } from "@/lib/db/schema";
import { log } from "@/lib/log";

import { connectionIdOfJob, failedStep, jobOutcome, type JobLike, type StepLike } from "./outcome";

/** A job from GET /users/{id}/jobs (`Job`) or GET /jobs/{id} (`JobDetail`): both fit. */
export type StorableJob = JobLike & { institution?: { id: string } };

export type JobRunValues = typeof jobRuns.$inferInsert;

export interface UpsertCounts {
  inserted: number;
  updated: number;
  /** Inserted as failed, or stored before with another outcome and failed now. */
  newFailures: number;
}

// One JSON parameter per statement; chunks keep each statement's size moderate.
const ROWS_PER_STATEMENT = 500;

function parseDate(value: string | undefined): Date | null {
  if (!value) return null;
  const time = Date.parse(value);
  return Number.isFinite(time) ? new Date(time) : null;
}

/** Undefined fields dropped, so the stored JSON (and what tests compare) has only what Basiq sent. */
function compact<T extends Record<string, unknown>>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;
}

function storedStep(step: StepLike): StoredJobStep {
  const r = step.result;
  return {
    title: step.title ?? null,
    status: step.status ?? null,
    // Basiq's spec calls the detail `details` in one place: accept either.
    result: r ? compact({ code: r.code, title: r.title, detail: r.detail ?? r.details, url: r.url }) : null,
  };
}

/** The job_runs row of one Basiq job (first/last seen are left to the upsert). */
export function jobRunValues(job: StorableJob, userId: string, sweepId: number | null): JobRunValues {
  const failed = failedStep(job);
  const error = failed?.result ?? null;
  return {
    id: job.id,
    userId,
    connectionId: connectionIdOfJob(job) ?? null,
    institutionId: job.institution?.id ?? null,
    outcome: jobOutcome(job),
    failedStep: failed ? (failed.title ?? null) : null,
    errorCode: error?.code ?? null,
    errorTitle: error?.title ?? null,
    errorDetail: error?.detail ?? error?.details ?? null,
    errorUrl: error?.url ?? null,
    steps: (job.steps ?? []).map(storedStep),
    createdAt: parseDate(job.created),
    updatedAt: parseDate(job.updated),
    firstSeenSweepId: sweepId,
  };
}

interface UpsertedRow {
  inserted: boolean;
}

/**
 * The upsert, then the claim of the failures not logged yet (which are the new failures). The rows travel as one
 * JSON parameter (jsonb_to_recordset) rather than 14 bind parameters a row: far less work per row for the driver
 * and the database (the sweep stores several users' jobs at a time).
 */
async function upsertChunk(db: Database, rows: JobRunValues[]): Promise<UpsertCounts> {
  const json = JSON.stringify(
    rows.map((r) => ({
      id: r.id,
      user_id: r.userId,
      connection_id: r.connectionId ?? null,
      institution_id: r.institutionId ?? null,
      outcome: r.outcome,
      failed_step: r.failedStep ?? null,
      error_code: r.errorCode ?? null,
      error_title: r.errorTitle ?? null,
      error_detail: r.errorDetail ?? null,
      error_url: r.errorUrl ?? null,
      steps: r.steps ?? [],
      created_at: r.createdAt ? r.createdAt.toISOString() : null,
      updated_at: r.updatedAt ? r.updatedAt.toISOString() : null,
      first_seen_sweep_id: r.firstSeenSweepId ?? null,
    })),
  );
  // first_seen_at and first_seen_sweep_id keep the values of the first insert; xmax = 0 on a returned row means
  // it was inserted, not updated.
  const result = await db.execute(sql`
    insert into job_runs (id, user_id, connection_id, institution_id, outcome, failed_step, error_code, error_title,
                          error_detail, error_url, steps, created_at, updated_at, first_seen_sweep_id)
    select id, user_id, connection_id, institution_id, outcome, failed_step, error_code, error_title,
           error_detail, error_url, coalesce(steps, '[]'::jsonb), created_at, updated_at, first_seen_sweep_id
      from jsonb_to_recordset(${json}::jsonb) as r(id text, user_id text, connection_id text, institution_id text,
           outcome text, failed_step text, error_code text, error_title text, error_detail text, error_url text,
           steps jsonb, created_at timestamptz, updated_at timestamptz, first_seen_sweep_id bigint)
    on conflict (id) do update set
      user_id = excluded.user_id, connection_id = excluded.connection_id, institution_id = excluded.institution_id,
      outcome = excluded.outcome, failed_step = excluded.failed_step, error_code = excluded.error_code,
      error_title = excluded.error_title, error_detail = excluded.error_detail, error_url = excluded.error_url,
      steps = excluded.steps, created_at = excluded.created_at, updated_at = excluded.updated_at, last_seen_at = now()
    returning (xmax = 0) as inserted`);
  const counts: UpsertCounts = { inserted: 0, updated: 0, newFailures: 0 };
  for (const row of rowsOf<UpsertedRow>(result)) {
    if (row.inserted) counts.inserted++;
    else counts.updated++;
  }
  const ids = JSON.stringify(rows.filter((r) => r.outcome === "failed").map((r) => r.id));
  counts.newFailures = ids === "[]" ? 0 : await logNewFailures(db, sql`select jsonb_array_elements_text(${ids}::jsonb)`);
  return counts;
}

interface NewFailureRow {
  id: string;
  user_id: string;
  connection_id: string | null;
  error_code: string | null;
  failed_step: string | null;
}

/**
 * Claims the failures among these jobs that nobody has logged yet and logs each once (support investigates
 * from this line: userId, connectionId, jobId, code, step). One UPDATE ... WHERE failure_logged_at IS NULL:
 * concurrent readers of the same job (a sweep and a page view, two instances) serialise on the row, so exactly
 * one of them gets it back.
 */
async function logNewFailures(db: Database, ids: SQL): Promise<number> {
  const claimed = rowsOf<NewFailureRow>(
    await db.execute(sql`
      update job_runs set failure_logged_at = now()
      where id in (${ids}) and outcome = 'failed' and failure_logged_at is null
      returning id, user_id, connection_id, error_code, failed_step`),
  );
  for (const row of claimed) {
    log.warn(
      { userId: row.user_id, connectionId: row.connection_id, jobId: row.id, code: row.error_code, step: row.failed_step },
      "Basiq job failed",
    );
  }
  return claimed.length;
}

/** Stores a user's jobs (insert or update by job id); counts what was new, seen again, and newly failed. */
export async function upsertJobs(
  db: Database,
  userId: string,
  jobs: readonly (Job | StorableJob)[],
  sweepId: number | null,
): Promise<UpsertCounts> {
  return upsertJobRows(
    db,
    jobs.map((job) => jobRunValues(job, userId, sweepId)),
  );
}

/** Rows of any number of users at once (the sweep gathers several users' jobs into one statement). */
export async function upsertJobRows(db: Database, values: readonly JobRunValues[]): Promise<UpsertCounts> {
  // The same id twice in one INSERT ... ON CONFLICT is an error in PostgreSQL: keep the last copy.
  const rows = [...new Map(values.map((v) => [v.id, v])).values()];
  const total: UpsertCounts = { inserted: 0, updated: 0, newFailures: 0 };
  for (let i = 0; i < rows.length; i += ROWS_PER_STATEMENT) {
    const counts = await upsertChunk(db, rows.slice(i, i + ROWS_PER_STATEMENT));
    total.inserted += counts.inserted;
    total.updated += counts.updated;
    total.newFailures += counts.newFailures;
  }
  return total;
}

export interface StoredUserJobs extends UpsertCounts {
  jobs: Job[];
  /** The client stopped at its page cap: older jobs were not read. */
  truncated: boolean;
}

/** Fetches a user's jobs from Basiq (one GET /users/{id}/jobs, plus any further pages) and stores them. */
export async function storeUserJobs(
  db: Database,
  client: BasiqClient,
  userId: string,
  options: { sweepId?: number | null; signal?: AbortSignal } = {},
): Promise<StoredUserJobs> {
  const { jobs, truncated } = await client.listUserJobs(userId, { userId, signal: options.signal });
  const counts = await upsertJobs(db, userId, jobs, options.sweepId ?? null);
  return { ...counts, jobs, truncated };
}
