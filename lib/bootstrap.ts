import "server-only";

// Start-up work run by scripts/start.ts before the web server starts: migrations, and in sandbox mode the demo
// accounts and a directory seeded from the sandbox's users (standing in for the partner's own records).
import { count } from "drizzle-orm";

import { basiq } from "@/lib/basiq";
import { analyzeDatabase } from "@/lib/db/analyze";
import { openDatabase } from "@/lib/db/client";
import { migratePglite, migratePostgres } from "@/lib/db/migrate";
import { auditTableExposure, exposureWarning } from "@/lib/db/roles";
import { basiqUsers } from "@/lib/db/schema";
import { recoverInterruptedPurges } from "@/lib/dal/purge";
import { backfillNamePrefixes } from "@/lib/directory/name-prefixes";
import { forEachLimited, syncDirectoryUser } from "@/lib/directory/sync";
import type { Env } from "@/lib/env";
import { log } from "@/lib/log";
import { ensureDemoAccounts } from "@/lib/staff/accounts";
import path from "node:path";

export async function prepareDatabase(e: Env, options: { seed: boolean }): Promise<void> {
  if (e.databaseUrl) {
    await migratePostgres(e.databaseMigrationUrl ?? e.databaseUrl, { runtimeUrl: e.databaseUrl });
    await warnIfAuditTrailExposed(e, e.databaseUrl);
  }
  const opened = await openDatabase({ databaseUrl: e.databaseUrl, pgliteDir: path.join(e.dataDir, "pglite") });
  try {
    if (opened.kind === "pglite") await migratePglite(opened.db);
    // Purges left "in progress" by a process that died mid-call become "outcome unknown" (audited) before any
    // request can retry them (issue 14 item 9). On PostgreSQL, those of live instances are left alone.
    const interrupted = await recoverInterruptedPurges(opened.db);
    if (interrupted.length > 0) log.warn({ purges: interrupted.map((op) => op.id) }, "interrupted purges recorded as outcome unknown");
    // A sweep left running continues: its unfinished batches are jobs of the engine, retried after a crash.
    // Name-prefix search indexes (migration 0012) for rows written before them; once done, one cursor read.
    await backfillNamePrefixes(opened.db);
    // PGlite has no autovacuum: give the planner statistics at every start (and after seeding, below).
    if (!options.seed || e.basiq.mode !== "sandbox") {
      if (opened.kind === "pglite") await analyzeDatabase(opened.db, "start");
      return;
    }
    await ensureDemoAccounts(opened.db, e.demoPassword);
    const [row] = await opened.db.select({ n: count() }).from(basiqUsers);
    if ((row?.n ?? 0) > 0) {
      await analyzeDatabase(opened.db, "start");
      return;
    }
    const ids = await sandboxUserIds(e.basiq.apiUrl);
    const started = Date.now();
    let added = 0;
    await forEachLimited(ids, 8, async (id) => {
      if ((await syncDirectoryUser(opened.db, basiq("background"), id, "seed")) !== "not-found") added++;
    });
    log.info({ users: added, ms: Date.now() - started }, "directory seeded from the sandbox");
    await analyzeDatabase(opened.db, "seed");
  } finally {
    await opened.close();
  }
}

/**
 * The single-URL set-up keeps working, but then the console's own role could disable the audit trigger: say so at
 * every start (a warning in live mode).
 */
async function warnIfAuditTrailExposed(e: Env, databaseUrl: string): Promise<void> {
  const { default: postgres } = await import("postgres");
  const client = postgres(databaseUrl, { max: 1, onnotice: () => {}, connect_timeout: 10 });
  try {
    const warning = exposureWarning(await auditTableExposure(client));
    if (warning) {
      if (e.basiq.mode === "live") log.warn(warning);
      else log.info(warning);
    }
  } finally {
    await client.end({ timeout: 5 });
  }
}

/** The sandbox's list of its users (a control endpoint: real Basiq has no list-users endpoint). */
async function sandboxUserIds(apiUrl: string, max = 2000): Promise<string[]> {
  const res = await fetch(new URL(`/__sandbox/users?offset=0&limit=${max}`, apiUrl), { signal: AbortSignal.timeout(10_000) });
  if (!res.ok) throw new Error(`The sandbox did not list its users (HTTP ${res.status}).`);
  const body = (await res.json()) as { ids?: unknown };
  return Array.isArray(body.ids) ? body.ids.filter((v): v is string => typeof v === "string") : [];
}
