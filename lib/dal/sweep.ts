import "server-only";

// The job sweep as admins see it: run it now (in the background, audited) and watch its progress.
import { recordAudit } from "@/lib/audit";
import { requirePermission } from "@/lib/auth/session";
import { basiq } from "@/lib/basiq";
import { getDb } from "@/lib/db";
import { env } from "@/lib/env";
import { currentSweep, latestSweepRuns, runSweep } from "@/lib/jobs/sweep";
import { log } from "@/lib/log";

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
  recent: SweepRunDTO[];
}

export async function getSweepStatus(): Promise<SweepStatusDTO> {
  await requirePermission("sweep.run");
  const runs = await latestSweepRuns(await getDb(), 5);
  const progress = currentSweep();
  return {
    running: progress.running,
    usersChecked: progress.usersChecked,
    usersTotal: progress.usersTotal,
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

/** Starts a sweep in the background; says so when one is already running (here or on another instance). */
export async function startSweepNow(): Promise<{ started: boolean; message: string }> {
  const caller = await requirePermission("sweep.run");
  if (currentSweep().running) return { started: false, message: "A sweep is already running." };
  const db = await getDb();
  const actor = { id: caller.id, email: caller.email, role: caller.role };
  await recordAudit({ actor, action: "sweep.run", outcome: "requested" });
  // Not awaited: the page polls progress. The advisory lock decides whether this instance may sweep.
  void runSweep({ db, client: basiq("background"), trigger: "manual", databaseUrl: env().databaseUrl })
    .then((result) =>
      recordAudit({
        actor,
        action: "sweep.run",
        outcome: result.status === "completed" ? "success" : "denied",
        details: result.status === "completed" ? { runId: result.run.id } : { reason: "already-running" },
        meta: { ip: null, userAgent: null },
      }),
    )
    .catch((e: unknown) => log.error({ err: (e as Error).message }, "manual sweep failed"));
  return { started: true, message: "Sweep started: progress below." };
}
