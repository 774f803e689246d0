import "server-only";

// Planner statistics. PostgreSQL's autovacuum analyzes changed tables on its own, eventually; embedded PGlite has
// no autovacuum at all, so without this a PGlite directory has no statistics and its filtered list pages pick bad
// plans (53-60 ms p50 at 100k users vs ~18 ms with statistics). ANALYZE samples each table (30,000 rows at most),
// so it costs well under a second even at 100k users. Run after bulk changes: seeding, a full sync, a sweep, an
// import (coalesced), and on every scheduled job cycle.
import { sql } from "drizzle-orm";

import { log } from "@/lib/log";

import type { Database } from "./client";

/** ANALYZE every table now. Never throws: statistics are an optimisation, a failure is only logged. */
export async function analyzeDatabase(db: Database, reason: string): Promise<boolean> {
  const started = performance.now();
  try {
    await db.execute(sql`analyze`);
    log.info({ reason, ms: Math.round(performance.now() - started) }, "planner statistics refreshed (ANALYZE)");
    return true;
  } catch (e) {
    log.warn({ reason, errorType: e instanceof Error ? e.name : typeof e }, "ANALYZE failed");
    return false;
  }
}

/** Coalesce interactive triggers (imports): at most one ANALYZE per this interval, run after the request. */
export const ANALYZE_COALESCE_MS = 60_000;

const globalForAnalyze = globalThis as unknown as { basiqConsoleAnalyze?: { timer: ReturnType<typeof setTimeout> } };

/**
 * ANALYZE within ANALYZE_COALESCE_MS (`delayMs`), once however many changes ask for it meanwhile. For changes made
 * on a request path, where the caller must not wait (a PGlite ANALYZE holds its one connection while it runs).
 */
export function analyzeSoon(db: Database, reason: string, delayMs = ANALYZE_COALESCE_MS): void {
  if (globalForAnalyze.basiqConsoleAnalyze) return;
  const timer = setTimeout(() => {
    globalForAnalyze.basiqConsoleAnalyze = undefined;
    void analyzeDatabase(db, reason);
  }, delayMs);
  timer.unref();
  globalForAnalyze.basiqConsoleAnalyze = { timer };
}
