// npm run users:sync            re-sync every user in the directory from Basiq
// npm run users:sync -- --events read Basiq's events feed since the last run and update the directory
// With the embedded database, stop the console first (one process at a time); with DATABASE_URL it can run
// beside the console.
import path from "node:path";
import { parseArgs } from "node:util";

import { basiq } from "@/lib/basiq";
import { openDatabase } from "@/lib/db/client";
import { migratePglite, migratePostgres } from "@/lib/db/migrate";
import { syncFromEvents } from "@/lib/directory/events";
import { syncAllUsers } from "@/lib/directory/sync-all";
import { loadEnv } from "@/lib/env";

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { events: { type: "boolean", default: false } } });
  const e = loadEnv();
  if (e.databaseUrl) await migratePostgres(e.databaseMigrationUrl ?? e.databaseUrl, { runtimeUrl: e.databaseUrl });
  const opened = await openDatabase({ databaseUrl: e.databaseUrl, pgliteDir: path.join(e.dataDir, "pglite") });
  try {
    if (opened.kind === "pglite") await migratePglite(opened.db);
    if (values.events) {
      const r = await syncFromEvents(opened.db, basiq("background"));
      console.log(
        `events: ${r.eventsNew} new of ${r.eventsRead} read; ${r.usersSynced} users synced, ${r.usersDeleted} marked deleted, ${r.failed} failed; cursor ${r.cursor ?? "none"}`,
      );
      if (r.gapWarning) console.log(`warning: ${r.gapWarning}`);
      if (r.failed > 0) process.exitCode = 1;
    } else {
      const r = await syncAllUsers(opened.db, basiq("background"), (p) => process.stdout.write(`\r${p.checked}/${p.total} checked`));
      console.log(`\nusers: ${r.checked} checked, ${r.updated} updated, ${r.notFound} not found at Basiq, ${r.failed} failed`);
      if (r.stopped) console.log(r.stopped);
      if (r.failed > 0) process.exitCode = 1;
    }
  } finally {
    await opened.close();
  }
}

main().catch((err: unknown) => {
  console.error(`error: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
});
