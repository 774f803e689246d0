// npm run jobs:sweep                 enqueue a sweep on the job engine (the console's instances work it)
// npm run jobs:sweep -- --wait       ... and follow its progress to the end
// npm run jobs:sweep -- --work       ... and work its batches in this process too (implies --wait)
// With DATABASE_URL the running consoles take the batches; this command only asks (a sweep already running or
// queued is reported, not doubled). With the embedded database the console must be stopped (one process at a
// time), so this process works the sweep itself. Exit 0 when enqueued (or, with --wait, completed); 1 when the
// followed sweep failed (the next one resumes it).
import path from "node:path";
import { parseArgs } from "node:util";

import { openDatabase } from "@/lib/db/client";
import { migratePglite, migratePostgres } from "@/lib/db/migrate";
import { loadEnv } from "@/lib/env";
import { runningSweep, SWEEP_QUEUE, waitForRunStart, waitForSweep, type SweepProgress } from "@/lib/jobs/sweep";
import { enqueue, startQueue, stopQueue } from "@/lib/queue/engine";
import { queueDefinitions } from "@/lib/queue/registry";
import { maintenanceSeconds } from "@/lib/server-lifecycle";
import { onShutdownSignal } from "@/lib/shutdown-signals";

function progressLine(p: SweepProgress): string {
  return `\r${p.usersChecked}/${p.usersTotal} users checked, ${p.batchesDone}/${p.batchesTotal} batches, ${p.jobsNew} new jobs, ${p.newFailures} new failures, ${p.errors} errors, ${Object.keys(p.shares).length} instance(s)`;
}

async function main(): Promise<number> {
  const { values } = parseArgs({ options: { wait: { type: "boolean" }, work: { type: "boolean" } } });
  const e = loadEnv();
  if (e.databaseUrl) await migratePostgres(e.databaseMigrationUrl ?? e.databaseUrl, { runtimeUrl: e.databaseUrl });
  const opened = await openDatabase({ databaseUrl: e.databaseUrl, pgliteDir: path.join(e.dataDir, "pglite") });
  const work = values.work === true || opened.kind === "pglite";
  const wait = work || values.wait === true;
  try {
    if (opened.kind === "pglite") await migratePglite(opened.db);
    await startQueue({
      db: opened.db,
      databaseUrl: e.databaseUrl,
      queues: queueDefinitions,
      work,
      schedule: false,
      maintenanceIntervalSeconds: maintenanceSeconds(e.sweepBatchExpireSeconds),
    });
    const stop = () => void stopQueue().then(() => opened.close()).finally(() => process.exit(1));
    onShutdownSignal(stop);

    const running = await runningSweep(opened.db);
    const since = new Date(Date.now() - 1);
    if (running) console.log(`A sweep is already running (#${running.id}, since ${running.startedAt.toISOString()}).`);
    else if (!(await enqueue(SWEEP_QUEUE, { trigger: "cli" }))) console.log("A sweep is already queued to start.");
    else console.log("Sweep enqueued.");
    if (!wait) return 0;

    const run = running ?? (await waitForRunStart(opened.db, since, work ? 60_000 : 5 * 60_000));
    const r = await waitForSweep(opened.db, run.id, { onProgress: (p) => process.stdout.write(progressLine(p)) });
    const seconds = ((r.finishedAt ?? new Date()).getTime() - r.startedAt.getTime()) / 1000;
    console.log(
      `\nsweep #${r.id} ${r.status} in ${seconds.toFixed(1)} s: ${r.usersChecked}/${r.usersTotal} users, ` +
        `${r.jobsNew} new jobs, ${r.jobsUpdated} updated, ${r.newFailures} new failures, ${r.errors} errors` +
        (r.resumedFrom === null ? "" : `; resumed sweep #${r.resumedFrom}`) +
        (r.message ? `; ${r.message}` : ""),
    );
    return r.status === "completed" ? 0 : 1;
  } finally {
    await stopQueue();
    await opened.close();
  }
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    console.error(`\nerror: ${err instanceof Error ? err.message : String(err)}`);
    process.exit(1);
  },
);
