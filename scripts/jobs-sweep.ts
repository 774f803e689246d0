// npm run jobs:sweep                       read every directory user's jobs from Basiq into the job history
// npm run jobs:sweep -- --batch-size 50    users per checkpoint (default 200)
// For an external scheduler (cron, a Kubernetes CronJob): with DATABASE_URL it runs beside the console and
// takes the same advisory lock, so it never overlaps the console's own scheduled sweep. With the embedded
// database, stop the console first (one process at a time). Exit 0 when done or when another sweep is running;
// 1 when the sweep failed or was interrupted (the next run resumes where it stopped).
import path from "node:path";
import { parseArgs } from "node:util";

import { basiq } from "@/lib/basiq";
import { openDatabase } from "@/lib/db/client";
import { migratePglite, migratePostgres } from "@/lib/db/migrate";
import { loadEnv } from "@/lib/env";
import { runSweep, type SweepProgress } from "@/lib/jobs/sweep";

function progressLine(p: SweepProgress): string {
  return `\r${p.usersChecked}/${p.usersTotal} users checked, ${p.jobsNew} new jobs, ${p.newFailures} new failures, ${p.errors} errors`;
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { "batch-size": { type: "string" } } });
  const batchSize = values["batch-size"] === undefined ? undefined : Number(values["batch-size"]);
  if (batchSize !== undefined && !(Number.isInteger(batchSize) && batchSize > 0)) {
    throw new Error("--batch-size must be a positive integer");
  }
  const e = loadEnv();
  // Ctrl-C / SIGTERM: stop between users and record the run as interrupted, so the next one resumes from it.
  const stop = new AbortController();
  for (const signal of ["SIGINT", "SIGTERM"] as const)
    process.once(signal, () => stop.abort(new Error(signal)));

  if (e.databaseUrl) await migratePostgres(e.databaseMigrationUrl ?? e.databaseUrl, { runtimeUrl: e.databaseUrl });
  const opened = await openDatabase({
    databaseUrl: e.databaseUrl,
    pgliteDir: path.join(e.dataDir, "pglite"),
  });
  try {
    if (opened.kind === "pglite") await migratePglite(opened.db);
    const result = await runSweep({
      db: opened.db,
      client: basiq("background"),
      trigger: "cli",
      databaseUrl: e.databaseUrl,
      batchSize,
      signal: stop.signal,
      onProgress: (p) => process.stdout.write(progressLine(p)),
    });
    if (result.status === "already-running") {
      const since = result.runningSince ? ` (since ${result.runningSince.toISOString()})` : "";
      console.log(`A sweep is already running${since}; nothing to do.`);
      return;
    }
    const r = result.run;
    const seconds = ((r.finishedAt ?? new Date()).getTime() - r.startedAt.getTime()) / 1000;
    console.log(
      `\nsweep #${r.id} completed in ${seconds.toFixed(1)} s: ${r.usersChecked}/${r.usersTotal} users, ` +
        `${r.jobsNew} new jobs, ${r.jobsUpdated} updated, ${r.newFailures} new failures, ${r.errors} errors` +
        (r.resumedFrom === null ? "" : `; resumed sweep #${r.resumedFrom}`) +
        (r.message ? `; ${r.message}` : ""),
    );
  } catch (err) {
    if (stop.signal.aborted) throw new Error("sweep interrupted; the next run resumes where it stopped");
    throw err;
  } finally {
    await opened.close();
  }
}

main().catch((err: unknown) => {
  console.error(`\nerror: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
});
