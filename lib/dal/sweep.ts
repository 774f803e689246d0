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
  const run = runSweep({ db, client: basiq("background"), trigger: "manual", databaseUrl: env().databaseUrl });
  void run
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
  // Answer once the lock is settled: this instance started sweeping, or another instance holds the lock (then
  // "already running", not a false "started").
  const deadline = Date.now() + LOCK_ANSWER_MS;
  const lost = run.then((r) => (r.status === "already-running" ? r : null)).catch(() => null);
  while (Date.now() < deadline && !currentSweep().running) {
    const settled = await Promise.race([lost, new Promise<"wait">((resolve) => setTimeout(() => resolve("wait"), 50))]);
    if (settled && settled !== "wait") {
      const since = settled.runningSince ? ` (since ${settled.runningSince.toISOString().slice(11, 16)} UTC)` : "";
      return { started: false, message: `A sweep is already running on another instance${since}.` };
    }
    if (settled === null) break; // finished (or failed) already: it did start here
  }
  return { started: true, message: "Sweep started: progress below." };
}

/** How long "Run sweep now" waits for the lock's verdict before answering "started". */
const LOCK_ANSWER_MS = 5_000;
