import "server-only";

// /operations (admins): what the job engine (pg-boss, lib/queue) holds — every queue with its jobs by state,
// the cron schedules, the most recent jobs, the failed ones and the dead letters — and retrying a failed job
// (audited). Job data is shown as its keys only (a job's payload may name users).
import { z } from "zod";

import { recordAudit } from "@/lib/audit";
import { requirePermission } from "@/lib/auth/session";
import { NotFoundError } from "@/lib/errors";
import { QUEUE_SCHEMA, queueEngine } from "@/lib/queue/engine";
import { DEAD_LETTER_SUFFIX } from "@/lib/queue/types";

export interface QueueRowDTO {
  name: string;
  policy: string;
  deadLetter: boolean;
  counts: Record<"created" | "retry" | "active" | "completed" | "failed" | "cancelled", number>;
}

export interface JobRowDTO {
  id: string;
  queue: string;
  state: string;
  retryCount: number;
  createdOn: string;
  startedOn: string | null;
  completedOn: string | null;
  /** The error a failed job ended with, first line, at most 200 characters. */
  error: string | null;
}

export interface OperationsDTO {
  running: boolean;
  queues: QueueRowDTO[];
  schedules: { name: string; cron: string; timezone: string }[];
  recent: JobRowDTO[];
  failed: JobRowDTO[];
  deadLetters: JobRowDTO[];
}

interface JobSqlRow {
  id: string;
  name: string;
  state: string;
  retry_count: number;
  created_on: Date | string;
  started_on: Date | string | null;
  completed_on: Date | string | null;
  output: unknown;
}

const iso = (v: Date | string | null) => (v === null ? null : new Date(v).toISOString());

function errorOf(output: unknown): string | null {
  const value = (output as { message?: unknown; value?: { message?: unknown } } | null) ?? null;
  const message = typeof value?.message === "string" ? value.message : typeof value?.value?.message === "string" ? value.value.message : null;
  return message ? message.split("\n")[0]!.slice(0, 200) : null;
}

const toJob = (r: JobSqlRow): JobRowDTO => ({
  id: r.id,
  queue: r.name,
  state: r.state,
  retryCount: Number(r.retry_count),
  createdOn: iso(r.created_on)!,
  startedOn: iso(r.started_on),
  completedOn: iso(r.completed_on),
  error: r.state === "failed" ? errorOf(r.output) : null,
});

const JOB_COLUMNS = "id, name, state, retry_count, created_on, started_on, completed_on, output";

export async function getOperations(): Promise<OperationsDTO> {
  await requirePermission("operations.manage");
  const engine = await queueEngine();
  if (!engine) return { running: false, queues: [], schedules: [], recent: [], failed: [], deadLetters: [] };
  const db = engine.boss.getDb();
  const sqlRows = async <T>(text: string, values: unknown[] = []) => (await db.executeSql(text, values)).rows as T[];
  const queues = await engine.boss.getQueues();
  const counts = await sqlRows<{ name: string; state: string; n: number | string }>(
    `select name, state::text as state, count(*) as n from ${QUEUE_SCHEMA}.job group by name, state`,
  );
  const recent = await sqlRows<JobSqlRow>(
    `select ${JOB_COLUMNS} from ${QUEUE_SCHEMA}.job where name not like '\\_\\_pgboss%' order by created_on desc limit 30`,
  );
  const failed = await sqlRows<JobSqlRow>(
    `select ${JOB_COLUMNS} from ${QUEUE_SCHEMA}.job where state = 'failed' order by completed_on desc nulls last limit 30`,
  );
  const dead = await sqlRows<JobSqlRow>(
    `select ${JOB_COLUMNS} from ${QUEUE_SCHEMA}.job where name like $1 order by created_on desc limit 30`,
    [`%${DEAD_LETTER_SUFFIX}`],
  );
  const empty = { created: 0, retry: 0, active: 0, completed: 0, failed: 0, cancelled: 0 };
  return {
    running: true,
    queues: queues
      .filter((q) => !q.name.startsWith("__pgboss"))
      .map((q) => ({
        name: q.name,
        policy: q.policy ?? "standard",
        deadLetter: Boolean(q.deadLetter),
        counts: Object.fromEntries(
          Object.keys(empty).map((state) => [state, Number(counts.find((c) => c.name === q.name && c.state === state)?.n ?? 0)]),
        ) as QueueRowDTO["counts"],
      }))
      .sort((a, b) => a.name.localeCompare(b.name)),
    schedules: (await engine.boss.getSchedules()).map((s) => ({ name: s.name, cron: s.cron, timezone: s.options?.tz ?? "UTC" })),
    recent: recent.map(toJob),
    failed: failed.map(toJob),
    deadLetters: dead.map(toJob),
  };
}

export const retryJobInput = z
  .object({
    queue: z.string().regex(/^[a-z0-9][a-z0-9_-]{0,99}$/),
    jobId: z.uuid(),
  })
  .strict();

/** Puts a failed job (or a dead letter, on its own queue) back to be worked again; audited. */
export async function retryJob(input: z.infer<typeof retryJobInput>): Promise<void> {
  const caller = await requirePermission("operations.manage");
  const engine = await queueEngine();
  if (!engine) throw new NotFoundError("The job engine is not running in this process.");
  const job = await engine.boss.getJobById(input.queue, input.jobId);
  if (!job || job.state !== "failed") throw new NotFoundError("No failed job with this id in this queue.");
  await engine.boss.retry(input.queue, input.jobId);
  await recordAudit({
    actor: { id: caller.id, email: caller.email, role: caller.role },
    action: "operations.retry",
    outcome: "success",
    details: { queue: input.queue, jobId: input.jobId },
  });
}
