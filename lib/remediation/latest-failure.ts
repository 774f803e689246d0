import "server-only";

// "Why isn't this bank updating?" for every role with `jobs.summary` (staff included): per connection whose latest
// stored job failed, the one verdict (code, plain-language reason, the sentence to tell the user). Read-only and
// from our own tables (job_runs, kept by the sweep and by support's page views; the connector status history):
// no Basiq call. The job id is given only to roles that may open the job page.
import { and, desc, eq, isNotNull, sql } from "drizzle-orm";

import { can } from "@/lib/auth/policy";
import { requirePermission } from "@/lib/auth/session";
import { getDb } from "@/lib/db";
import { jobRuns } from "@/lib/db/schema";
import { basiqUserIdSchema, connectionIdSchema } from "@/lib/dal/ids";
import { storedUserRow } from "@/lib/dal/users";

import { verdictOfFailure } from "./connector-at";
import type { Verdict } from "./verdict";

export interface LatestFailureDTO {
  connectionId: string;
  institutionId: string | null;
  failedStep: string | null;
  failedAt: string | null;
  /** Only for roles that may open the job page (`jobs.read`): never a link to a page the role cannot open. */
  jobId: string | null;
  verdict: Verdict;
}

/** The latest stored job of each of the user's connections (or of one), when it failed. */
export async function getLatestFailures(rawUserId: string, rawConnectionId?: string): Promise<LatestFailureDTO[]> {
  const caller = await requirePermission("jobs.summary");
  const userId = basiqUserIdSchema.safeParse(rawUserId);
  const connectionId = rawConnectionId === undefined ? undefined : connectionIdSchema.safeParse(rawConnectionId);
  if (!userId.success || (connectionId && !connectionId.success)) return [];
  const db = await getDb();
  const [latest, user] = await Promise.all([
    db
      .selectDistinctOn([jobRuns.connectionId])
      .from(jobRuns)
      .where(
        and(
          eq(jobRuns.userId, userId.data),
          isNotNull(jobRuns.connectionId),
          connectionId ? eq(jobRuns.connectionId, connectionId.data!) : undefined,
        ),
      )
      .orderBy(jobRuns.connectionId, sql`${jobRuns.createdAt} desc nulls last`, desc(jobRuns.id)),
    storedUserRow(userId.data), // the page's own read of the directory row (once per request)
  ]);
  const mayOpenJobs = can(caller.role, "jobs.read");
  const failed = latest.filter((j) => j.outcome === "failed");
  return Promise.all(
    failed.map(async (j) => {
      const failedAt = (j.updatedAt ?? j.createdAt)?.toISOString() ?? null;
      const method = user?.connections.find((c) => c.id === j.connectionId)?.method ?? null;
      const verdict = await verdictOfFailure(
        db,
        { code: j.errorCode, stepTitle: j.failedStep, title: j.errorTitle, detail: j.errorDetail },
        failedAt,
        j.institutionId && method ? { id: j.institutionId, method } : null,
      );
      return {
        connectionId: j.connectionId!,
        institutionId: j.institutionId,
        failedStep: j.failedStep,
        failedAt,
        jobId: mayOpenJobs ? j.id : null,
        verdict,
      };
    }),
  );
}
