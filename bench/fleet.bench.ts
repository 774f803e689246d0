// Fleet benchmark (issue 16): the sweep on real PostgreSQL across several console processes.
//
//   tsx --conditions=react-server bench/fleet.bench.ts [--users 30000] [--latency 50] [--processes 3]
//
// Phases, on one database and one sandbox (in this process) with N directory users at the given latency:
//   1. one console process sweeps alone (the baseline);
//   2. `--processes` fresh console processes sweep together;
//   3. again with fresh processes, and one is killed with SIGKILL once a third of the users are checked; its
//      batches are taken over after their expiry (SWEEP_BATCH_EXPIRE_SECONDS=60 here).
// Each "console process" is bench/fleet-worker.ts: the console's start-up of its background work
// (lib/server-lifecycle.ts: the job engine with every registered queue), not the web server. Sweeps are enqueued
// here as `npm run jobs:sweep` does. Per phase: wall time, users checked, Basiq calls per user (from the
// sandbox's per-request counts: users asked 0 times, more than once), users unconfirmed (claimed by the killed
// process, no result recorded), token requests, each process's share, job_runs rows vs distinct ids, load
// average. Targets: fleet wall ≤ 0.4 × the single process's; every user exactly once (in the killed run: at most
// once, and each one not asked is among the run's unconfirmed); one token request per process; the killed run
// completes with no duplicate job_runs. Exit 1 when one is missed. The table is printed in Markdown.
//
// PostgreSQL: DATABASE_URL's server (a throwaway database is created and dropped), or else a throwaway server
// started from /usr/lib/postgresql/*/bin (as .ci/run does).
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { mkdtempSync, readdirSync, rmSync } from "node:fs";
import { cpus, loadavg, tmpdir } from "node:os";
import path from "node:path";
import { parseArgs } from "node:util";

import { sql } from "drizzle-orm";

import { openDatabase } from "../lib/db/client";
import { migratePostgres } from "../lib/db/migrate";
import { basiqUsers, sweepShares } from "../lib/db/schema";
import { EVENTS_SYNC_QUEUE } from "../lib/jobs/queues";
import { SWEEP_QUEUE, waitForRunStart, waitForSweep, type SweepRun } from "../lib/jobs/sweep";
import { enqueue, startQueue, stopQueue } from "../lib/queue/engine";
import { queueDefinitions } from "../lib/queue/registry";
import { startSandbox, type Sandbox } from "../sandbox/server";

const JOBS = /^GET \/users\/([^/]+)\/jobs$/;
const FLEET_RATIO_TARGET = 0.4;

interface Phase {
  name: string;
  processes: number;
  wallS: number;
  run: SweepRun;
  /** Users in the directory (not deleted) when the sweep was enqueued. */
  expected: number;
  usersCalled: number;
  usersMissed: number;
  usersTwice: number;
  tokens: number;
  shares: number[];
  jobRows: number;
  distinctJobs: number;
  /** Users claimed by a process that died before recording their check (run.usersUnconfirmed). */
  unconfirmed: number;
  /** Users not asked that are not among the run's unconfirmed claims either: lost silently. */
  usersLost: number;
  loadAverage: number;
}

async function throwawayServer(): Promise<{ url: string; stop: () => void }> {
  const bin = readdirSync("/usr/lib/postgresql").sort().reverse().map((v) => `/usr/lib/postgresql/${v}/bin`)[0];
  if (!bin) throw new Error("no DATABASE_URL and no PostgreSQL in /usr/lib/postgresql");
  const dir = mkdtempSync(path.join(tmpdir(), "engine-fleet-pg-"));
  const port = 56000 + Math.floor(Math.random() * 1000);
  // PostgreSQL refuses to run as root: as the postgres user then (as .ci/run does).
  const asRoot = process.getuid?.() === 0;
  if (asRoot) spawnSync("chown", ["postgres", dir]);
  const command = (cmd: string, args: string[]): [string, string[]] =>
    asRoot ? ["runuser", ["-u", "postgres", "--", `${bin}/${cmd}`, ...args]] : [`${bin}/${cmd}`, args];
  const run = (cmd: string, args: string[]) => {
    const r = spawnSync(...command(cmd, args), { stdio: "ignore" });
    if (r.status !== 0) throw new Error(`${cmd} failed`);
  };
  run("initdb", ["-D", `${dir}/data`, "-A", "trust", "-U", "postgres", "--no-sync"]);
  run("pg_ctl", ["-D", `${dir}/data`, "-l", `${dir}/log`, "-w", "-o", `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=200`, "start"]);
  return {
    url: `postgres://postgres@127.0.0.1:${port}/postgres`,
    stop: () => {
      spawnSync(...command("pg_ctl", ["-D", `${dir}/data`, "-m", "fast", "-w", "stop"]), { stdio: "ignore" });
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

async function main(): Promise<boolean> {
  const { values } = parseArgs({ options: { users: { type: "string" }, latency: { type: "string" }, processes: { type: "string" } } });
  const users = Number(values.users ?? 30_000);
  const latencyMs = Number(values.latency ?? 50);
  const fleet = Number(values.processes ?? 3);
  const server = process.env.DATABASE_URL ? { url: process.env.DATABASE_URL, stop: () => {} } : await throwawayServer();
  const admin = (await import("postgres")).default(server.url, { max: 1, onnotice: () => {} });
  const dbName = `engine_fleet_${Date.now()}`;
  await admin.unsafe(`create database "${dbName}"`);
  const url = new URL(server.url);
  url.pathname = `/${dbName}`;
  const dbUrl = url.toString();
  const sandbox: Sandbox = await startSandbox({ port: 0, users, latencyMs });
  const dataDir = mkdtempSync(path.join(tmpdir(), "engine-fleet-data-"));
  const children = new Set<ChildProcess>();
  const phases: Phase[] = [];
  try {
    await migratePostgres(dbUrl);
    const opened = await openDatabase({ databaseUrl: dbUrl });
    const db = opened.db;
    const control = async <T>(route: string): Promise<T> => (await (await fetch(`${sandbox.url}${route}`)).json()) as T;
    const { ids } = await control<{ ids: string[] }>(`/__sandbox/users?limit=${users}`);
    for (let i = 0; i < ids.length; i += 1000) await db.insert(basiqUsers).values(ids.slice(i, i + 1000).map((id) => ({ id, source: "seed" })));
    await db.execute(sql`analyze`);
    // This process only enqueues and follows (as npm run jobs:sweep does).
    await startQueue({ db, databaseUrl: dbUrl, queues: queueDefinitions, work: false, schedule: false });
    console.log(`fleet bench: ${users} users, sandbox latency ${latencyMs} ms, PostgreSQL, ${cpus().length} cores`);

    const env = {
      ...process.env,
      DATABASE_URL: dbUrl,
      BASIQ_API_URL: sandbox.url,
      SANDBOX_API_KEY: "sandbox-key",
      DATA_DIR: dataDir,
      SWEEP_INTERVAL_MINUTES: "0",
      CONNECTOR_REFRESH_MINUTES: "0",
      SWEEP_BATCH_EXPIRE_SECONDS: "60",
      LOG_LEVEL: "error",
    };
    delete (env as Record<string, string | undefined>).BASIQ_API_KEY;
    const startWorkers = async (n: number) => {
      const procs = Array.from({ length: n }, () =>
        spawn(process.execPath, ["--import", "tsx", "--conditions=react-server", "bench/fleet-worker.ts"], { env, stdio: ["ignore", "pipe", "inherit"] }),
      );
      await Promise.all(
        procs.map(
          (p) =>
            new Promise<void>((resolve, reject) => {
              children.add(p);
              p.once("exit", () => children.delete(p));
              p.stdout!.on("data", (b: Buffer) => b.toString().includes("ready") && resolve());
              p.once("exit", (code) => reject(new Error(`a console process exited (${code}) before it was ready`)));
            }),
        ),
      );
      return procs;
    };
    const stopWorkers = async (procs: ChildProcess[]) => {
      await Promise.all(
        procs.filter((p) => p.exitCode === null && p.signalCode === null).map((p) => new Promise((r) => (p.once("exit", r), p.kill("SIGTERM")))),
      );
    };

    const phase = async (name: string, n: number, killAt?: number): Promise<Phase> => {
      // Token requests are counted from before the processes start (one each, whenever it is made).
      const tokensBefore = (await control<Record<string, number>>("/__sandbox/stats"))["POST /token"] ?? 0;
      const procs = await startWorkers(n);
      const before = await control<Record<string, number>>("/__sandbox/requests");
      // The users this sweep must check: the directory as it is now (the events sync after a sweep marks the
      // users Basiq's events say were deleted; those are not swept).
      const expected = (
        await db.select({ id: basiqUsers.id }).from(basiqUsers).where(sql`${basiqUsers.deletedAt} is null and ${basiqUsers.deidentifiedAt} is null`)
      ).map((r) => r.id);
      const started = performance.now();
      const since = new Date(Date.now() - 1);
      await enqueue(SWEEP_QUEUE, { trigger: "cli" });
      const first = await waitForRunStart(db, since, 120_000);
      let killed = false;
      const run = await waitForSweep(db, first.id, {
        intervalMs: 200,
        onProgress: (p) => {
          if (killAt !== undefined && !killed && p.usersChecked >= killAt) {
            killed = true;
            procs[0]!.kill("SIGKILL");
            console.log(`  SIGKILL to one process at ${p.usersChecked} users (${((performance.now() - started) / 1000).toFixed(1)} s)`);
          }
        },
      });
      const wallS = (performance.now() - started) / 1000;
      const after = await control<Record<string, number>>("/__sandbox/requests");
      const tokens = ((await control<Record<string, number>>("/__sandbox/stats"))["POST /token"] ?? 0) - tokensBefore;
      // The events sync that follows a completed sweep (it may mark users Basiq deleted) finishes before these
      // processes stop, as it would in a deployment, so it does not run during the next phase's sweep (when a
      // stopped process's sync was retried there, users it marked deleted mid-sweep looked "not asked").
      const syncDeadline = Date.now() + 300_000;
      for (;;) {
        const [pending] = (await db.execute(
          sql`select count(*)::int as n from pgboss.job where name = ${EVENTS_SYNC_QUEUE} and state in ('created', 'retry', 'active')`,
        )) as unknown as { n: number }[];
        if (!pending?.n || Date.now() > syncDeadline) break;
        await new Promise((r) => setTimeout(r, 500));
      }
      await stopWorkers(procs);
      const calls = new Map<string, number>();
      for (const [req, count] of Object.entries(after)) {
        const m = JOBS.exec(req);
        if (m) calls.set(decodeURIComponent(m[1]!), count - (before[req] ?? 0));
      }
      const shares = (await db.select().from(sweepShares).where(sql`${sweepShares.sweepId} = ${run.id}`)).map((s) => s.usersChecked).sort((a, b) => b - a);
      const [rows] = (await db.execute(sql`select count(*)::int as n, count(distinct id)::int as d from job_runs`)) as unknown as { n: number; d: number }[];
      const unconfirmedIds = new Set(
        ((await db.execute(sql`select user_id from sweep_claims where sweep_id = ${run.id} and result is null`)) as unknown as { user_id: string }[]).map((r) => r.user_id),
      );
      const result: Phase = {
        name,
        processes: n,
        wallS,
        run,
        expected: expected.length,
        usersCalled: expected.filter((id) => (calls.get(id) ?? 0) > 0).length,
        usersMissed: expected.filter((id) => (calls.get(id) ?? 0) === 0).length,
        usersTwice: [...calls.values()].filter((n) => n > 1).length,
        tokens,
        shares,
        jobRows: rows?.n ?? 0,
        distinctJobs: rows?.d ?? 0,
        unconfirmed: run.usersUnconfirmed,
        usersLost: expected.filter((id) => (calls.get(id) ?? 0) === 0 && !unconfirmedIds.has(id)).length,
        loadAverage: loadavg()[0] ?? 0,
      };
      console.log(`  ${name}: ${run.status} in ${wallS.toFixed(1)} s`);
      return result;
    };

    phases.push(await phase("1 process", 1));
    phases.push(await phase(`${fleet} processes`, fleet));
    phases.push(await phase(`${fleet} processes, one SIGKILLed`, fleet, Math.floor(users / 3)));
    await stopQueue(2_000);
    await opened.close();
  } finally {
    for (const c of children) c.kill("SIGKILL");
    await sandbox.close();
    await admin.unsafe(`drop database if exists "${dbName}" with (force)`).catch(() => {});
    await admin.end({ timeout: 5 });
    server.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }

  const [single, together, killed] = phases as [Phase, Phase, Phase];
  const problems: string[] = [];
  const ratio = together.wallS / single.wallS;
  if (ratio > FLEET_RATIO_TARGET) problems.push(`fleet ${ratio.toFixed(2)} × one process (target ≤ ${FLEET_RATIO_TARGET})`);
  for (const p of phases) {
    if (p.run.status !== "completed") problems.push(`${p.name}: the sweep ${p.run.status}`);
    if (p.usersTwice > 0) problems.push(`${p.name}: ${p.usersTwice} users asked more than once (target: at most once)`);
    // Without a kill every user is asked exactly once; with one, a user the killed process had claimed may be
    // unconfirmed instead (its call may or may not have reached Basiq), and is counted in the run's record.
    if (p.usersLost > 0) problems.push(`${p.name}: ${p.usersLost} users neither asked nor reported unconfirmed`);
    if (p !== killed && (p.usersMissed > 0 || p.unconfirmed > 0)) problems.push(`${p.name}: ${p.usersMissed} users not asked (target: each once)`);
    if (p.run.usersChecked + p.unconfirmed !== p.expected) problems.push(`${p.name}: ${p.run.usersChecked} checked + ${p.unconfirmed} unconfirmed ≠ ${p.expected} in the directory`);
    if (p.jobRows !== p.distinctJobs) problems.push(`${p.name}: duplicate job_runs`);
  }
  if (single.tokens !== 1) problems.push(`1 process: ${single.tokens} token requests (target 1)`);
  for (const p of [together, killed])
    if (p.tokens !== p.processes) problems.push(`${p.name}: ${p.tokens} token requests (target ${p.processes}, one per process)`);

  // A Markdown table (pasted as is into the README's measured figures).
  const row = (cells: (string | number)[]) => console.log(`| ${cells.join(" | ")} |`);
  console.log("");
  console.log(
    `fleet bench ${new Date().toISOString().slice(0, 10)}: ${users.toLocaleString("en")} users, ${latencyMs} ms, PostgreSQL, ` +
      `${cpus().length} cores; load average at the end of each phase in the table`,
  );
  console.log("");
  row(["phase", "wall s", "directory", "checked", "unconfirmed", "asked once", "not asked", "twice+", "token requests", "shares", "job_runs rows = distinct", "load"]);
  row(Array.from({ length: 12 }, () => "---"));
  for (const p of phases)
    row([
      p.name,
      p.wallS.toFixed(1),
      p.expected,
      p.run.usersChecked,
      p.unconfirmed,
      p.usersCalled - p.usersTwice,
      p.usersMissed,
      p.usersTwice,
      p.tokens,
      p.shares.join("/"),
      `${p.jobRows} = ${p.distinctJobs}`,
      p.loadAverage.toFixed(1),
    ]);
  console.log("");
  console.log(`fleet / one process: ${ratio.toFixed(3)} (target ≤ ${FLEET_RATIO_TARGET}); ${cpus().length} cores, load average ${(loadavg()[0] ?? 0).toFixed(2)}`);
  console.log(`killed run: ${killed.run.status}, ${killed.run.usersChecked} users checked, ${killed.unconfirmed} unconfirmed${killed.run.message ? ` (${killed.run.message})` : ""}`);
  console.log(problems.length === 0 ? "targets: all met" : `targets MISSED: ${problems.join("; ")}`);
  return problems.length === 0;
}

main().then(
  (ok) => process.exit(ok ? 0 : 1),
  (e: unknown) => {
    console.error(e);
    process.exit(1);
  },
);
