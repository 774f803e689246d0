import "server-only";

// The job sweep as admins see it: run it now (in the background, audited) and watch its progress.
import { recordAudit } from "@/lib/audit";
import { requirePermission } from "@/lib/auth/session";
import { getDb } from "@/lib/db";
import { latestSweepRuns, runningSweep, SWEEP_QUEUE, sweepProgress } from "@/lib/jobs/sweep";
import { enqueue } from "@/lib/queue/engine";
export interface SweepRunDTO {
  id: number;
  trigger: string;
  status: string;
  startedAt: string;
  finishedAt: string | null;
  usersTotal: number;
  usersChecked: number;
  jobsNew: number;
  jobsUpdated: number;
  newFailures: number;
  errors: number;
  /** Why a run failed or stopped (no ids, no Basiq body), or null. */
  message: string | null;
}

export interface SweepStatusDTO {
  running: boolean;
  usersChecked: number;
  usersTotal: number;
  /** Batches of the running sweep done, of all (any instance may be working them). */
  batchesDone: number;
  batchesTotal: number;
  /** Instances working the running sweep (how many users each checked). */
  instances: number;
  recent: SweepRunDTO[];
}

export async function getSweepStatus(): Promise<SweepStatusDTO> {
  await requirePermission("sweep.run");
  const db = await getDb();
  const runs = await latestSweepRuns(db, 5);
  const running = await runningSweep(db);
  const progress = running ? await sweepProgress(db, running) : null;
  return {
    running: running !== undefined,
    usersChecked: progress?.usersChecked ?? 0,
    usersTotal: progress ? running!.usersTotal : 0,
    batchesDone: progress?.batchesDone ?? 0,
    batchesTotal: progress?.batchesTotal ?? 0,
    instances: progress ? Object.keys(progress.shares).length : 0,
    recent: runs.map((r) => ({
      id: r.id,
      trigger: r.trigger,
      status: r.status,
      startedAt: r.startedAt.toISOString(),
      finishedAt: r.finishedAt?.toISOString() ?? null,
      usersTotal: r.usersTotal,
      usersChecked: r.usersChecked,
      jobsNew: r.jobsNew,
      jobsUpdated: r.jobsUpdated,
      newFailures: r.newFailures,
      errors: r.errors,
      message: r.message,
    })),
  };
}

/**
 * Enqueues a sweep on the job engine (audited); says so when one is already running on any instance, or already
 * queued. The page follows its progress from the batches (getSweepStatus).
 */
export async function startSweepNow(): Promise<{ started: boolean; message: string }> {
  const caller = await requirePermission("sweep.run");
  const db = await getDb();
  const actor = { id: caller.id, email: caller.email, role: caller.role };
  const running = await runningSweep(db);
  if (running) {
    await recordAudit({ actor, action: "sweep.run", outcome: "denied", details: { reason: "already-running", runId: running.id } });
    return { started: false, message: `A sweep is already running (since ${running.startedAt.toISOString().slice(11, 16)} UTC).` };
  }
  const jobId = await enqueue(SWEEP_QUEUE, { trigger: "manual" });
  if (!jobId) {
    await recordAudit({ actor, action: "sweep.run", outcome: "denied", details: { reason: "already-queued" } });
    return { started: false, message: "A sweep is already queued to start." };
  }
  await recordAudit({ actor, action: "sweep.run", outcome: "requested", details: { jobId } });
  return { started: true, message: "Sweep started: progress below." };
}
