import "server-only";

// Start-up: a sweep run left "running" by a process that died is marked failed at once (issue 14 item 11), so
// the jobs page does not show a dead sweep as running until the next one takes over. It stays resumable from its
// cursor (lib/jobs/sweep.ts resumes failed runs). On PostgreSQL only when the sweep lock is free: a live
// instance's sweep holds it and is left alone. PGlite has one process, so a "running" row there is always dead.
import { eq } from "drizzle-orm";

import type { Database } from "@/lib/db";
import { sweepRuns } from "@/lib/db/schema";

import { SWEEP_LOCK } from "./sweep";

export const CRASHED_SWEEP_MESSAGE = "interrupted: the process stopped before finishing (found at start-up; the next sweep resumes it)";

async function markRunningFailed(db: Database): Promise<number> {
  const rows = await db
    .update(sweepRuns)
    .set({ status: "failed", message: CRASHED_SWEEP_MESSAGE, finishedAt: new Date() })
    .where(eq(sweepRuns.status, "running"))
    .returning({ id: sweepRuns.id });
  return rows.length;
}

/** Marks dead "running" sweep runs failed; returns how many. `databaseUrl` unset = PGlite. */
export async function markCrashedSweepRuns(db: Database, databaseUrl: string | undefined): Promise<number> {
  if (!databaseUrl) return markRunningFailed(db);
  const { default: postgres } = await import("postgres");
  const conn = postgres(databaseUrl, { max: 1, onnotice: () => {}, connect_timeout: 10 });
  try {
    const [row] = await conn<{ locked: boolean }[]>`select pg_try_advisory_lock(${SWEEP_LOCK}::bigint) as locked`;
    if (!row?.locked) return 0; // a live instance is sweeping
    try {
      return await markRunningFailed(db);
    } finally {
      await conn`select pg_advisory_unlock(${SWEEP_LOCK}::bigint)`;
    }
  } finally {
    await conn.end({ timeout: 5 });
  }
}
