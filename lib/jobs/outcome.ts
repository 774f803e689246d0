// What a Basiq job amounts to, from its steps. Pure functions: used by pages, the sweep and the error log.
export interface StepLike {
  title?: string;
  status?: string;
  result?: { code?: string; title?: string; detail?: string; details?: string; url?: string } | null;
}

export interface JobLike {
  id: string;
  created?: string;
  updated?: string;
  steps?: StepLike[];
  links?: { source?: string };
}

export type JobOutcome = "success" | "failed" | "in-progress" | "pending";

export function jobOutcome(job: JobLike): JobOutcome {
  const steps = job.steps ?? [];
  if (steps.some((s) => s.status === "failed")) return "failed";
  if (steps.length > 0 && steps.every((s) => s.status === "success")) return "success";
  if (steps.some((s) => s.status === "in-progress" || s.status === "success")) return "in-progress";
  return "pending";
}

export function failedStep(job: JobLike): StepLike | undefined {
  return (job.steps ?? []).find((s) => s.status === "failed");
}

/** The connection a job belongs to, from `links.source` (…/users/{userId}/connections/{connectionId}). */
export function connectionIdOfJob(job: JobLike): string | undefined {
  const match = job.links?.source?.match(/\/connections\/([^/?#]+)/);
  return match?.[1] ? decodeURIComponent(match[1]) : undefined;
}

export interface Freshness {
  lastAttemptAt: string | null;
  lastAttemptOutcome: JobOutcome | null;
  lastSuccessAt: string | null;
  /** "fresh" < 36 h since the last success, "stale" beyond, "never" without any success. */
  staleness: "fresh" | "stale" | "never" | "unknown";
  hoursSinceSuccess: number | null;
}

const STALE_AFTER_HOURS = 36; // the smart cache refreshes daily; give it half a day of slack

export function freshness(jobs: JobLike[], now = Date.now()): Freshness {
  const time = (j: JobLike) => Date.parse(j.updated ?? j.created ?? "") || 0;
  const sorted = [...jobs].sort((a, b) => time(b) - time(a));
  const last = sorted[0];
  const lastSuccess = sorted.find((j) => jobOutcome(j) === "success");
  const hours = lastSuccess ? (now - time(lastSuccess)) / 3_600_000 : null;
  return {
    lastAttemptAt: last ? new Date(time(last)).toISOString() : null,
    lastAttemptOutcome: last ? jobOutcome(last) : null,
    lastSuccessAt: lastSuccess ? new Date(time(lastSuccess)).toISOString() : null,
    staleness: jobs.length === 0 ? "unknown" : hours === null ? "never" : hours > STALE_AFTER_HOURS ? "stale" : "fresh",
    hoursSinceSuccess: hours === null ? null : Math.round(hours * 10) / 10,
  };
}
