import "server-only";

// POST /api/v1/users/{userId}/check: what the partner's back end asks when its user signs in (issue 17 §3). One
// Basiq call (GET /users/{userId}/jobs, stored in job_runs like every read of jobs), then per connection its newest
// job's outcome, the last success, the failing code and step, and from the remediation catalogue
// (lib/basiq/job-codes.ts) the exact sentence to show the user and what the app should offer.
import type { BasiqClient } from "@/lib/basiq/client";
import { remediationFor, type Remediation } from "@/lib/basiq/job-codes";
import type { Database } from "@/lib/db";
import { connectionIdOfJob, failedStep, jobOutcome, type JobLike } from "@/lib/jobs/outcome";
import { storeUserJobs } from "@/lib/jobs/store";

export type CheckAction = "none" | "reconnect" | "wait" | "contact-support";

export interface ConnectionCheck {
  connectionId: string;
  /** The newest job's outcome: success, failed, in-progress or pending. */
  status: string;
  lastSuccess: string | null;
  failing: { code: string | null; step: string | null } | null;
  userMessage: string;
  action: CheckAction;
}

export interface UserCheck {
  userId: string;
  checkedAt: string;
  connections: ConnectionCheck[];
}

export const ALL_GOOD_MESSAGE = "Your bank connection is working. Nothing to do.";
export const UPDATING_MESSAGE = "We are updating your bank data right now. Check again in a few minutes.";

/** What the partner's app should offer, from the remediation entry. */
export function actionOf(remediation: Readonly<Remediation>): CheckAction {
  if (remediation.severity === "transient") return "wait";
  if (remediation.whoActs === "end-user") return "reconnect";
  return "contact-support";
}

const time = (job: JobLike) => Date.parse(job.updated ?? job.created ?? "") || 0;

export function checkConnections(jobs: readonly JobLike[]): ConnectionCheck[] {
  const byConnection = new Map<string, JobLike[]>();
  for (const job of jobs) {
    const id = connectionIdOfJob(job);
    if (!id) continue;
    byConnection.set(id, [...(byConnection.get(id) ?? []), job]);
  }
  return [...byConnection].map(([connectionId, list]) => {
    const sorted = [...list].sort((a, b) => time(b) - time(a));
    const newest = sorted[0]!;
    const success = sorted.find((j) => jobOutcome(j) === "success");
    const status = jobOutcome(newest);
    const lastSuccess = success ? new Date(time(success)).toISOString() : null;
    if (status === "failed") {
      const step = failedStep(newest)!;
      const remediation = remediationFor({ code: step.result?.code, stepTitle: step.title, title: step.result?.title, detail: step.result?.detail });
      return {
        connectionId,
        status,
        lastSuccess,
        failing: { code: step.result?.code ?? null, step: step.title ?? null },
        userMessage: remediation.tellTheUser,
        action: actionOf(remediation),
      };
    }
    if (status === "success") return { connectionId, status, lastSuccess, failing: null, userMessage: ALL_GOOD_MESSAGE, action: "none" as const };
    return { connectionId, status, lastSuccess, failing: null, userMessage: UPDATING_MESSAGE, action: "wait" as const };
  });
}

export async function checkUser(db: Database, client: BasiqClient, userId: string): Promise<UserCheck> {
  const { jobs } = await storeUserJobs(db, client, userId);
  return { userId, checkedAt: new Date().toISOString(), connections: checkConnections(jobs) };
}
