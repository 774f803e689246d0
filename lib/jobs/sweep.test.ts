// The job sweep against the real sandbox: one GET /users/{id}/jobs per directory user, job_runs filled,
// sweep_runs telling the truth, resumption after a crash or a stop, and one runner at a time.
import { spawn } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";

import { asc, eq, sql } from "drizzle-orm";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";

import { createBasiqClient, type BasiqClient } from "@/lib/basiq/client";
import { type Database } from "@/lib/db/client";
import { basiqUsers, jobRuns, sweepRuns } from "@/lib/db/schema";
import { log } from "@/lib/log";
import { startSandbox, type Sandbox } from "@/sandbox/server";
import { createTestDatabase, type TestDatabase } from "@/test/db";

import { currentSweep, latestSweepRuns, runSweep, SWEEP_OUTAGE_STOP, type RunSweepOptions } from "./sweep";

const JOBS_ROUTE = "GET /users/{userId}/jobs";
const GONE_USER = "00000000-0000-4000-8000-000000000000"; // well-formed, unknown to the sandbox

async function control<T>(sandbox: Sandbox, route: string, init?: RequestInit): Promise<T> {
  // Once more on a reset socket: a keep-alive connection may close under a request on a busy machine.
  const response = await fetch(`${sandbox.url}${route}`, init).catch(() =>
    fetch(`${sandbox.url}${route}`, init),
  );
  return (await response.json()) as T;
}

const addFault = (sandbox: Sandbox, fault: Record<string, unknown>) =>
  control(sandbox, "/__sandbox/faults", { method: "POST", body: JSON.stringify(fault) });

async function jobsCalls(sandbox: Sandbox): Promise<number> {
  return (await control<Record<string, number>>(sandbox, "/__sandbox/stats"))[JOBS_ROUTE] ?? 0;
}

async function sandboxIds(sandbox: Sandbox, n: number): Promise<string[]> {
  return (await control<{ ids: string[] }>(sandbox, `/__sandbox/users?limit=${n}`)).ids;
}

async function seedDirectory(db: Database, ids: string[]): Promise<void> {
  await db.insert(basiqUsers).values(ids.map((id) => ({ id, source: "seed" })));
}

/** Directory ids in the database's own order (its collation decides what "after the cursor" means). */
async function orderedIds(db: Database): Promise<string[]> {
  return (await db.select({ id: basiqUsers.id }).from(basiqUsers).orderBy(asc(basiqUsers.id))).map(
    (r) => r.id,
  );
}

async function until(check: () => Promise<boolean>, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error("timed out waiting");
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** How many times the sandbox was asked for each user's jobs since its last reset (`GET /__sandbox/requests`). */
async function jobsCallsPerUser(from: Sandbox): Promise<Record<string, number>> {
  const requests = await control<Record<string, number>>(from, "/__sandbox/requests");
  const perUser: Record<string, number> = {};
  for (const [request, n] of Object.entries(requests)) {
    const match = /^GET \/users\/([^/]+)\/jobs$/.exec(request);
    if (match) perUser[decodeURIComponent(match[1]!)] = n;
  }
  return perUser;
}

/** Calls per user made between two snapshots of jobsCallsPerUser (users not asked in between left out). */
function callsBetween(before: Record<string, number>, after: Record<string, number>): Record<string, number> {
  const made: Record<string, number> = {};
  for (const [user, n] of Object.entries(after)) if (n > (before[user] ?? 0)) made[user] = n - (before[user] ?? 0);
  return made;
}

/**
 * A run stopped (or killed) with calls in flight, then resumed: the users up to its checkpoint were asked once in
 * all (the resume did not ask them again), every user after it at least once and at most twice (the batch whose
 * answers the stop threw away is asked again; nothing else is).
 */
function expectCheckpointedOnce(order: readonly string[], cursor: string | null, calls: Record<string, number>) {
  const done = cursor === null ? 0 : order.indexOf(cursor) + 1;
  expect(done).toBeGreaterThanOrEqual(0);
  expect(Object.keys(calls).sort()).toEqual([...order].sort());
  for (const [index, id] of order.entries()) {
    if (index < done) expect(calls[id], `${id} (before the checkpoint)`).toBe(1);
    else expect(calls[id], `${id} (after the checkpoint)`).toBeLessThanOrEqual(2);
  }
}

const oncePerUser = (users: readonly string[]) => Object.fromEntries(users.map((id) => [id, 1]));

/**
 * The stored job rows are exactly the jobs the sandbox holds for these users: same ids, same owners, none
 * missing, none extra. Asks the sandbox through a fresh client, so call it after counting calls.
 */
async function expectStoredEqualsSandbox(db: Database, from: Sandbox, users: readonly string[]): Promise<void> {
  const reader = createBasiqClient({ baseUrl: from.url, apiKey: "sandbox-key" });
  const held = (
    await Promise.all(
      users.map(async (id) => (await reader.listUserJobs(id)).jobs.map((job) => `${id} ${job.id}`)),
    )
  ).flat();
  const stored = (await db.select({ id: jobRuns.id, userId: jobRuns.userId }).from(jobRuns)).map(
    (row) => `${row.userId} ${row.id}`,
  );
  expect(held.length).toBeGreaterThan(users.length);
  expect(stored.sort()).toEqual(held.sort());
}

let sandbox: Sandbox;
let ids: string[];
let testDb: TestDatabase;
let client: BasiqClient;

/** Same options every test; on PostgreSQL the advisory lock is taken (databaseUrl), on PGlite the flag. */
const sweep = (extra: Partial<RunSweepOptions> = {}) =>
  runSweep({ db: testDb.db, client, trigger: "manual", databaseUrl: testDb.url, ...extra });

// One database for the file (creating one is the slow part), emptied before each test.
beforeAll(async () => {
  [sandbox, testDb] = await Promise.all([startSandbox({ port: 0, users: 60 }), createTestDatabase()]);
  ids = await sandboxIds(sandbox, 60);
});
afterAll(async () => {
  await Promise.all([sandbox?.close(), testDb?.close()]);
});
beforeEach(async () => {
  await testDb.db.execute(sql`truncate job_runs, sweep_runs, basiq_users cascade`);
  await control(sandbox, "/__sandbox/reset", { method: "POST" });
  // After the reset, which revokes tokens: a fresh client, so counts hold no 401 retries.
  client = createBasiqClient({ baseUrl: sandbox.url, apiKey: "sandbox-key" });
});
afterEach(() => {
  vi.restoreAllMocks();
});

describe("runSweep", () => {
  it("reads each directory user's jobs exactly once, stores them, and records the run", async () => {
    const { db } = testDb;
    await seedDirectory(db, ids);
    const result = await sweep();
    expect(result.status).toBe("completed");
    if (result.status !== "completed") return;

    const stats = await control<Record<string, number>>(sandbox, "/__sandbox/stats");
    expect(stats[JOBS_ROUTE]).toBe(60);
    expect(stats["POST /token"]).toBe(1);
    expect(await jobsCallsPerUser(sandbox)).toEqual(oncePerUser(ids));

    const stored = await db.select().from(jobRuns);
    const failed = stored.filter((j) => j.outcome === "failed");
    expect(stored.length).toBeGreaterThan(60);
    expect(failed.length).toBeGreaterThan(0);
    // Failed jobs carry the failed step and Basiq's code; the sandbox seeds every documented failure code.
    for (const j of failed)
      expect(j).toMatchObject({ failedStep: expect.any(String), errorCode: expect.any(String) });
    expect(new Set(failed.map((j) => j.errorCode)).size).toBeGreaterThanOrEqual(10);
    expect(stored.every((j) => ids.includes(j.userId) && j.connectionId && j.institutionId)).toBe(true);
    expect(stored.every((j) => j.firstSeenSweepId === result.run.id)).toBe(true);

    const [row] = await db.select().from(sweepRuns);
    expect(row).toEqual(result.run);
    expect(row).toMatchObject({
      trigger: "manual",
      status: "completed",
      usersTotal: 60,
      usersChecked: 60,
      jobsNew: stored.length,
      jobsUpdated: 0,
      newFailures: failed.length,
      errors: 0,
      cursor: (await orderedIds(db)).at(-1),
      resumedFrom: null,
      message: null,
    });
    expect(row!.finishedAt).toBeInstanceOf(Date);
    await expectStoredEqualsSandbox(db, sandbox, ids);

    // Again: nothing new, everything seen again, no duplicates, the first sighting kept.
    const again = await sweep({ trigger: "cli" });
    if (again.status !== "completed") throw new Error(again.status);
    expect(again.run).toMatchObject({
      usersChecked: 60,
      jobsNew: 0,
      jobsUpdated: stored.length,
      newFailures: 0,
    });
    expect(await jobsCalls(sandbox)).toBe(120 + 60); // expectStoredEqualsSandbox read each user once more
    expect(await db.$count(jobRuns)).toBe(stored.length);
    expect(await db.$count(jobRuns, eq(jobRuns.firstSeenSweepId, result.run.id))).toBe(stored.length);
    expect((await latestSweepRuns(db, 5)).map((r) => r.id)).toEqual([again.run.id, result.run.id]);
    expect(currentSweep()).toMatchObject({
      running: false,
      runId: again.run.id,
      status: "completed",
      usersChecked: 60,
    });
  });

  it("skips deleted directory entries and counts users Basiq no longer knows without calling them errors", async () => {
    const { db } = testDb;
    await seedDirectory(db, [...ids.slice(0, 20), GONE_USER]);
    await db.insert(basiqUsers).values({ id: ids[20]!, source: "seed", deletedAt: new Date() });
    const progress: number[] = [];
    const result = await sweep({ onProgress: (p) => progress.push(p.usersChecked) });
    if (result.status !== "completed") throw new Error(result.status);
    expect(result.run).toMatchObject({ usersTotal: 21, usersChecked: 21, errors: 0 });
    expect(result.run.message).toBe("1 user no longer exists at Basiq (404)");
    expect(currentSweep().usersNotFound).toBe(1);
    expect(progress.at(-1)).toBe(21);
    expect(await jobsCalls(sandbox)).toBe(21);
  });

  it("counts and logs (with ids, never a body) the users whose jobs could not be read, and carries on", async () => {
    const { db } = testDb;
    await seedDirectory(db, ids.slice(0, 20));
    const warn = vi.spyOn(log, "warn");
    // 400 is not retried: exactly two users fail.
    await addFault(sandbox, { kind: "status", route: JOBS_ROUTE, status: 400, count: 2 });
    const result = await sweep();
    if (result.status !== "completed") throw new Error(result.status);
    expect(result.run).toMatchObject({ status: "completed", usersChecked: 20, errors: 2 });
    const sweepWarnings = warn.mock.calls.filter((c) => c[1] === "job sweep: could not read a user's jobs");
    expect(sweepWarnings).toHaveLength(2);
    for (const [fields] of sweepWarnings) {
      expect(fields).toMatchObject({
        userId: expect.any(String),
        correlationId: expect.any(String),
        route: JOBS_ROUTE,
        status: 400,
      });
    }
  });

  it("stops when every call of a batch fails (Basiq down), records the failure, and the next run resumes", async () => {
    const { db } = testDb;
    await seedDirectory(db, ids.slice(0, 30));
    await addFault(sandbox, { kind: "status", route: JOBS_ROUTE, status: 400, count: 10 });
    await expect(sweep({ batchSize: 10 })).rejects.toThrow(
      /every Basiq call of a batch of 10 users failed \(400/,
    );
    const [failed] = await db.select().from(sweepRuns);
    // Users after the first 10 may have finished in the pool before the 10th failure closed the window.
    expect(failed).toMatchObject({ status: "failed", errors: 10, cursor: null });
    expect(failed!.usersChecked).toBeGreaterThanOrEqual(10);
    expect(failed!.message).toMatch(/^failed: every Basiq call/);
    expect(failed!.finishedAt).toBeInstanceOf(Date);

    const next = await sweep({ batchSize: 10 });
    if (next.status !== "completed") throw new Error(next.status);
    expect(next.run).toMatchObject({ resumedFrom: failed!.id, usersTotal: 30, usersChecked: 30, errors: 0 });
  });
});

describe("an outage in the middle of a batch", () => {
  it("stops after SWEEP_OUTAGE_STOP failures in a row, records why, and leaves the cursor before the batch", async () => {
    const { db } = testDb;
    await seedDirectory(db, ids.slice(0, 60));
    await addFault(sandbox, { kind: "status", route: JOBS_ROUTE, status: 400 });
    await expect(sweep()).rejects.toThrow(/^Basiq failed for \d+ users in a row \(400/);
    const [failed] = await db.select().from(sweepRuns);
    expect(failed).toMatchObject({ status: "failed", cursor: null });
    expect(failed!.usersChecked).toBeGreaterThanOrEqual(SWEEP_OUTAGE_STOP);
    expect(failed!.usersChecked).toBeLessThan(60);
    expect(failed!.message).toMatch(/^failed: Basiq failed for \d+ users in a row/);
    expect(await db.$count(jobRuns)).toBe(0);
  });
});

describe("resuming an unfinished sweep", () => {
  it("marks a run left 'running' by a killed process interrupted and continues from its cursor", async () => {
    const { db } = testDb;
    await seedDirectory(db, ids);
    const full = await sweep();
    if (full.status !== "completed") throw new Error(full.status);
    const stored = await db.$count(jobRuns);

    // What a process killed mid-sweep leaves behind: a running row, checkpointed halfway.
    const cursor = (await orderedIds(db))[29]!;
    const [crashed] = await db
      .insert(sweepRuns)
      .values({ trigger: "schedule", status: "running", usersTotal: 60, usersChecked: 30, cursor })
      .returning();
    const callsBefore = await jobsCallsPerUser(sandbox);

    const resumed = await sweep();
    if (resumed.status !== "completed") throw new Error(resumed.status);
    // The resume asked for exactly the users after the cursor, each once.
    const order = await orderedIds(db);
    expect(callsBetween(callsBefore, await jobsCallsPerUser(sandbox))).toEqual(oncePerUser(order.slice(30)));
    expect(resumed.run).toMatchObject({
      resumedFrom: crashed!.id,
      usersTotal: 30,
      usersChecked: 30,
      jobsNew: 0,
    });
    const [after] = await db.select().from(sweepRuns).where(eq(sweepRuns.id, crashed!.id));
    expect(after).toMatchObject({ status: "interrupted", cursor });
    expect(after!.message).toMatch(/interrupted/);
    expect(await db.$count(jobRuns)).toBe(stored);
    await expectStoredEqualsSandbox(db, sandbox, ids);
  });

  it("a stopped run lets its calls in flight finish and checkpoints them; the next run does the rest, each user read once in all", async () => {
    const { db } = testDb;
    await seedDirectory(db, ids);
    const stop = new AbortController();
    await expect(
      sweep({
        batchSize: 10,
        signal: stop.signal,
        onProgress: (p) => p.usersChecked >= 20 && stop.abort(new Error("stop")),
      }),
    ).rejects.toThrow("stop");
    const [stopped] = await db.select().from(sweepRuns);
    // The pool keeps 8 calls in flight: those started before the stop finish (within STOP_GRACE_MS) and count.
    const checked = stopped!.usersChecked;
    expect(checked).toBeGreaterThanOrEqual(20);
    expect(checked).toBeLessThan(60);
    expect(stopped).toMatchObject({ status: "interrupted", cursor: (await orderedIds(db))[checked - 1] });
    expect(currentSweep()).toMatchObject({ running: false, status: "interrupted" });

    const rest = await sweep({ batchSize: 10 });
    if (rest.status !== "completed") throw new Error(rest.status);
    // Across the stopped run and its resume, each user's jobs were fetched exactly once.
    expect(await jobsCallsPerUser(sandbox)).toEqual(oncePerUser(ids));
    expect(rest.run).toMatchObject({
      resumedFrom: stopped!.id,
      usersTotal: 60 - checked,
      usersChecked: 60 - checked,
    });
    // And the two halves stored every job the sandbox holds, and nothing else.
    await expectStoredEqualsSandbox(db, sandbox, ids);

    // A full run afterwards finds nothing new.
    const check = await sweep();
    if (check.status !== "completed") throw new Error(check.status);
    expect(check.run).toMatchObject({ resumedFrom: null, usersChecked: 60, jobsNew: 0 });
    expect(check.run.jobsUpdated).toBe(await db.$count(jobRuns));
  });

  it("a run stopped with calls in flight loses nothing", async () => {
    const { db } = testDb;
    await seedDirectory(db, ids);
    await addFault(sandbox, { kind: "latency", route: JOBS_ROUTE, ms: 40 });
    const stop = new AbortController();
    // Stopped just after the first checkpoint, with the next batch's calls in flight.
    const running = sweep({ batchSize: 16, signal: stop.signal });
    await until(async () => !!(await db.select().from(sweepRuns))[0]?.cursor, 20_000);
    await new Promise((r) => setTimeout(r, 15));
    stop.abort(new Error("stop"));
    await expect(running).rejects.toThrow("stop");
    const [stopped] = await db.select().from(sweepRuns);
    expect(stopped!.status).toBe("interrupted");
    expect(stopped!.cursor).not.toBeNull();

    await control(sandbox, "/__sandbox/faults", { method: "DELETE" });
    const rest = await sweep();
    if (rest.status !== "completed") throw new Error(rest.status);
    expect(rest.run.resumedFrom).toBe(stopped!.id);
    expectCheckpointedOnce(await orderedIds(db), stopped!.cursor, await jobsCallsPerUser(sandbox));
    await expectStoredEqualsSandbox(db, sandbox, ids);
    const check = await sweep();
    if (check.status !== "completed") throw new Error(check.status);
    expect(check.run).toMatchObject({ usersChecked: 60, jobsNew: 0 });
  });
});

describe("one runner at a time", () => {
  async function twoAtOnce() {
    const { db } = testDb;
    await seedDirectory(db, ids.slice(0, 24));
    await addFault(sandbox, { kind: "latency", route: JOBS_ROUTE, ms: 30 });
    let seenRunning = false;
    const [a, b] = await Promise.all([
      sweep({ onProgress: (p) => (seenRunning ||= p.running) }),
      new Promise((r) => setTimeout(r, 20)).then(() => sweep()),
    ]);
    expect(seenRunning).toBe(true);
    expect([a.status, b.status].sort()).toEqual(["already-running", "completed"]);
    const lost = a.status === "already-running" ? a : b;
    if (lost.status === "already-running") expect(lost.runningSince).toBeInstanceOf(Date);
    // The loser wrote nothing.
    expect(await db.$count(sweepRuns)).toBe(1);
    // And the lock is free again afterwards.
    expect((await sweep()).status).toBe("completed");
  }

  // PGlite: the in-process flag; PostgreSQL: the advisory lock. Runs on whichever database the suite has.
  it(`a second sweep while one runs is refused and writes nothing (${process.env.DATABASE_URL ? "advisory lock" : "in-process flag"})`, twoAtOnce);

  describe.runIf(!!process.env.DATABASE_URL)("PostgreSQL: an advisory lock", () => {
    it("a sweep whose lock connection is lost stops at the next checkpoint instead of running unlocked", async () => {
      const { db } = testDb;
      await seedDirectory(db, ids);
      await addFault(sandbox, { kind: "latency", route: JOBS_ROUTE, ms: 40 });
      const running = sweep({ batchSize: 8 });
      await until(async () => !!(await db.select().from(sweepRuns))[0]?.cursor);
      // An operator (or a failover) ends the session holding the lock.
      await db.execute(
        sql`select pg_terminate_backend(pid) from pg_locks where locktype = 'advisory' and objid = 4812002`,
      );
      await expect(running).rejects.toThrow(/lost the sweep lock/);
      const [row] = await db.select().from(sweepRuns);
      expect(row!.status).toBe("failed");
      expect(row!.usersChecked).toBeLessThan(60);
      // The next sweep takes the lock and finishes the job.
      const next = await sweep();
      expect(next.status).toBe("completed");
    });
  });
});

describe.runIf(!!process.env.DATABASE_URL)("PostgreSQL: across processes (the CLI)", () => {
  let slow: Sandbox;
  let slowIds: string[];

  beforeAll(async () => {
    slow = await startSandbox({ port: 0, users: 40, latencyMs: 30 });
    slowIds = await sandboxIds(slow, 40);
  });
  afterAll(async () => {
    await slow?.close();
  });
  beforeEach(async () => {
    await control(slow, "/__sandbox/reset", { method: "POST" });
  });

  interface CliRun {
    pid: number;
    kill(signal: NodeJS.Signals): void;
    done: Promise<{ code: number | null; stdout: string; stderr: string }>;
  }

  function cli(args: string[] = []): CliRun {
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      DATABASE_URL: testDb.url,
      BASIQ_API_URL: slow.url,
      DATA_DIR: mkdtempSync(path.join(tmpdir(), "jobs-sweep-cli-")),
      LOG_LEVEL: "silent",
    };
    // Sandbox mode with its default key; nothing inherited that could point elsewhere.
    delete env.BASIQ_API_KEY;
    delete env.SANDBOX_API_KEY;
    delete env.NODE_OPTIONS;
    const child = spawn(
      "node_modules/.bin/tsx",
      ["--conditions=react-server", "scripts/jobs-sweep.ts", ...args],
      {
        cwd: process.cwd(),
        env,
        stdio: ["ignore", "pipe", "pipe"],
        detached: true, // its own process group: tsx runs the script in a child process, which must die too
      },
    );
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
    child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
    return {
      pid: child.pid!,
      kill: (signal) => process.kill(-child.pid!, signal),
      done: new Promise((resolve) => child.on("close", (code) => resolve({ code, stdout, stderr }))),
    };
  }

  it("two `npm run jobs:sweep` started together: one sweeps, the other says a sweep is already running", async () => {
    const { db } = testDb;
    await seedDirectory(db, slowIds);
    // Whoever wins the lock holds it for 2.5 s at least (its token request is slow), so the loser's
    // start-up time cannot let it slip in after the winner has finished.
    await addFault(slow, { kind: "latency", route: "POST /token", ms: 2_500, count: 1 });
    const [a, b] = await Promise.all([cli().done, cli().done]);
    const outputs = [a, b].map((r) => r.stdout + r.stderr);
    expect([a.code, b.code], outputs.join("\n---\n")).toEqual([0, 0]);
    const loser = outputs.filter((o) =>
      /A sweep is already running( \(since [^)]+\))?; nothing to do\./.test(o),
    );
    const winner = outputs.filter((o) => /sweep #\d+ completed in [\d.]+ s: 40\/40 users/.test(o));
    expect(loser, outputs.join("\n---\n")).toHaveLength(1);
    expect(winner, outputs.join("\n---\n")).toHaveLength(1);

    const runs = await db.select().from(sweepRuns);
    expect(runs).toHaveLength(1);
    expect(runs[0]).toMatchObject({ trigger: "cli", status: "completed", usersChecked: 40 });
    const stats = await control<Record<string, number>>(slow, "/__sandbox/stats");
    expect(stats[JOBS_ROUTE]).toBe(40);
  }, 60_000);

  it("a CLI sweep killed with SIGKILL mid-run frees the lock, and the next sweep resumes from its checkpoint", async () => {
    const { db } = testDb;
    await seedDirectory(db, slowIds);
    await addFault(slow, { kind: "latency", route: JOBS_ROUTE, ms: 150 });
    const run = cli(["--batch-size", "5"]);
    // Wait for a checkpoint, then kill without warning (no handler runs, the row stays "running").
    const deadline = Date.now() + 30_000;
    for (;;) {
      const [row] = await db.select().from(sweepRuns);
      if (row?.cursor) break;
      if (Date.now() > deadline) throw new Error("the CLI never checkpointed");
      await new Promise((r) => setTimeout(r, 25));
    }
    run.kill("SIGKILL");
    await run.done;
    const [killed] = await db.select().from(sweepRuns);
    expect(killed!.status).toBe("running");
    await control(slow, "/__sandbox/faults", { method: "DELETE" });

    // The server notices the dead connection almost at once; allow it a moment.
    const slowClient = createBasiqClient({ baseUrl: slow.url, apiKey: "sandbox-key" });
    let result = await runSweep({ db, client: slowClient, trigger: "manual", databaseUrl: testDb.url });
    for (let i = 0; result.status === "already-running" && i < 50; i++) {
      await new Promise((r) => setTimeout(r, 100));
      result = await runSweep({ db, client: slowClient, trigger: "manual", databaseUrl: testDb.url });
    }
    if (result.status !== "completed") throw new Error(result.status);
    const [before] = await db.select().from(sweepRuns).where(eq(sweepRuns.id, killed!.id));
    expect(before!.status).toBe("interrupted");
    expect(result.run.resumedFrom).toBe(killed!.id);
    // The checkpoint's cursor covers a finished prefix (the pool may have finished a few users past it, too).
    expect(result.run.usersTotal).toBe(40 - ((await orderedIds(db)).indexOf(before!.cursor!) + 1));
    expectCheckpointedOnce(await orderedIds(db), killed!.cursor, await jobsCallsPerUser(slow));
    await expectStoredEqualsSandbox(db, slow, slowIds);
  }, 60_000);
});
