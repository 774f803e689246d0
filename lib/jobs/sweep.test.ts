// The job sweep on the job engine (pg-boss) against the real sandbox, on the test database (in-memory PGlite;
// PostgreSQL when DATABASE_URL is set): one GET /users/{id}/jobs per directory user, job_runs filled, the run's
// record assembled from its batches, resumption after a stop or a crash, an outage stop, one run at a time.
import { asc, eq, sql } from "drizzle-orm";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";

import { createBasiqClient, type BasiqClient } from "@/lib/basiq/client";
import { rowsOf, type Database } from "@/lib/db/client";
import { instanceId } from "@/lib/db/instance";
import { basiqUsers, jobRuns, sweepBatches, sweepRuns, sweepShares } from "@/lib/db/schema";
import { log } from "@/lib/log";
import { enqueueMany } from "@/lib/queue/engine";
import { startSandbox, type Sandbox } from "@/sandbox/server";
import { createTestDatabase, type TestDatabase } from "@/test/db";

import { planSweep, SWEEP_BATCH_QUEUE, SWEEP_OUTAGE_STOP, SweepPool, waitForSweep, type BatchJob } from "./sweep";
import { startSweepEngine, stopQueue, sweepThroughEngine } from "./testing";

const JOBS_ROUTE = "GET /users/{userId}/jobs";
const GONE_USER = "00000000-0000-4000-8000-000000000000"; // well-formed, unknown to the sandbox

async function control<T>(sandbox: Sandbox, route: string, init?: RequestInit): Promise<T> {
  const response = await fetch(`${sandbox.url}${route}`, init).catch(() => fetch(`${sandbox.url}${route}`, init));
  return (await response.json()) as T;
}
const addFault = (sandbox: Sandbox, fault: Record<string, unknown>) =>
  control(sandbox, "/__sandbox/faults", { method: "POST", body: JSON.stringify(fault) });

async function jobsCallsPerUser(from: Sandbox): Promise<Record<string, number>> {
  const requests = await control<Record<string, number>>(from, "/__sandbox/requests");
  const perUser: Record<string, number> = {};
  for (const [request, n] of Object.entries(requests)) {
    const match = /^GET \/users\/([^/]+)\/jobs$/.exec(request);
    if (match) perUser[decodeURIComponent(match[1]!)] = n;
  }
  return perUser;
}
const oncePerUser = (users: readonly string[]) => Object.fromEntries(users.map((id) => [id, 1]));

async function until(check: () => Promise<boolean>, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error("timed out waiting");
    await new Promise((r) => setTimeout(r, 20));
  }
}

async function expectStoredEqualsSandbox(db: Database, from: Sandbox, users: readonly string[]): Promise<void> {
  const reader = createBasiqClient({ baseUrl: from.url, apiKey: "sandbox-key" });
  const held = (await Promise.all(users.map(async (id) => (await reader.listUserJobs(id)).jobs.map((job) => `${id} ${job.id}`)))).flat();
  const stored = (await db.select({ id: jobRuns.id, userId: jobRuns.userId }).from(jobRuns)).map((row) => `${row.userId} ${row.id}`);
  expect(held.length).toBeGreaterThan(users.length);
  expect(stored.sort()).toEqual(held.sort());
}

let sandbox: Sandbox;
let ids: string[];
let testDb: TestDatabase;
let client: BasiqClient;

const start = (extra: { batchSize?: number; batchExpireSeconds?: number } = {}) =>
  startSweepEngine({ db: testDb.db, url: testDb.url, client, batchSize: 20, ...extra });
const seed = (users: string[]) => testDb.db.insert(basiqUsers).values(users.map((id) => ({ id, source: "seed" })));

beforeAll(async () => {
  [sandbox, testDb] = await Promise.all([startSandbox({ port: 0, users: 60 }), createTestDatabase()]);
  ids = (await control<{ ids: string[] }>(sandbox, "/__sandbox/users?limit=60")).ids;
});
afterAll(async () => {
  await Promise.all([sandbox?.close(), testDb?.close()]);
});
beforeEach(async () => {
  await testDb.db.execute(sql`truncate job_runs, sweep_runs, basiq_users cascade`);
  await testDb.db.execute(sql`do $$ begin if to_regclass('pgboss.job') is not null then truncate pgboss.job; end if; end $$`);
  await control(sandbox, "/__sandbox/reset", { method: "POST" });
  client = createBasiqClient({ baseUrl: sandbox.url, apiKey: "sandbox-key" });
});
afterEach(async () => {
  await stopQueue(5_000);
  vi.restoreAllMocks();
});

describe("a sweep on the job engine", () => {
  it("reads each directory user's jobs exactly once, in batches, and assembles the run's record from them", async () => {
    const { db } = testDb;
    await seed(ids);
    await start();
    const run = await sweepThroughEngine(db);
    const stats = await control<Record<string, number>>(sandbox, "/__sandbox/stats");
    expect(stats[JOBS_ROUTE]).toBe(60);
    expect(stats["POST /token"]).toBe(1);
    expect(await jobsCallsPerUser(sandbox)).toEqual(oncePerUser(ids));

    const stored = await db.select().from(jobRuns);
    const failed = stored.filter((j) => j.outcome === "failed");
    expect(failed.length).toBeGreaterThan(0);
    expect(run).toMatchObject({
      trigger: "manual",
      status: "completed",
      usersTotal: 60,
      usersChecked: 60,
      jobsNew: stored.length,
      jobsUpdated: 0,
      newFailures: failed.length,
      errors: 0,
      resumedFrom: null,
      message: null,
    });
    expect(run.finishedAt).toBeInstanceOf(Date);
    const batches = await db.select().from(sweepBatches).where(eq(sweepBatches.sweepId, run.id)).orderBy(asc(sweepBatches.batchNo));
    expect(batches.map((b) => [b.batchNo, b.usersTotal, b.usersChecked, b.status])).toEqual([
      [0, 20, 20, "done"],
      [1, 20, 20, "done"],
      [2, 20, 20, "done"],
    ]);
    expect(await db.select().from(sweepShares)).toEqual([{ sweepId: run.id, instanceId: instanceId(), usersChecked: 60 }]);
    expect(stored.every((j) => j.firstSeenSweepId === run.id)).toBe(true);
    await expectStoredEqualsSandbox(db, sandbox, ids);

    // Again: nothing new, everything seen again, no duplicates.
    const again = await sweepThroughEngine(db, "cli");
    expect(again).toMatchObject({ status: "completed", usersChecked: 60, jobsNew: 0, jobsUpdated: stored.length, newFailures: 0 });
    expect(await db.$count(jobRuns)).toBe(stored.length);
  });

  it("skips deleted and de-identified directory entries and counts users Basiq no longer knows without calling them errors", async () => {
    const { db } = testDb;
    await seed([...ids.slice(0, 20), GONE_USER]);
    await db.insert(basiqUsers).values({ id: ids[20]!, source: "seed", deletedAt: new Date() });
    // Consent ended: de-identified (lib/consents/deidentify.ts); sweeping it would write its jobs' details back.
    await db.insert(basiqUsers).values({ id: ids[21]!, source: "seed", deidentifiedAt: new Date(), deidentifiedBy: "consent.revoked" });
    await start();
    const run = await sweepThroughEngine(db);
    expect(run).toMatchObject({ status: "completed", usersTotal: 21, usersChecked: 21, errors: 0, message: "1 user no longer exists at Basiq (404)" });
    expect((await control<Record<string, number>>(sandbox, "/__sandbox/stats"))[JOBS_ROUTE]).toBe(21);
  });

  it("counts and logs (with ids, never a body) the users whose jobs could not be read, and carries on", async () => {
    const { db } = testDb;
    await seed(ids.slice(0, 20));
    const warn = vi.spyOn(log, "warn");
    await addFault(sandbox, { kind: "status", route: JOBS_ROUTE, status: 400, count: 2 });
    await start();
    const run = await sweepThroughEngine(db);
    expect(run).toMatchObject({ status: "completed", usersChecked: 20, errors: 2 });
    const warnings = warn.mock.calls.filter((c) => c[1] === "job sweep: could not read a user's jobs");
    expect(warnings).toHaveLength(2);
    for (const [fields] of warnings) expect(fields).toMatchObject({ userId: expect.any(String), correlationId: expect.any(String), route: JOBS_ROUTE, status: 400 });
  });
});

describe("an outage", () => {
  it(`stops the sweep after ${SWEEP_OUTAGE_STOP} failures in a row and records why; the next sweep resumes its batches`, async () => {
    const { db } = testDb;
    await seed(ids);
    await addFault(sandbox, { kind: "status", route: JOBS_ROUTE, status: 400 });
    await start();
    const failed = await sweepThroughEngine(db);
    expect(failed.status).toBe("failed");
    expect(failed.message).toMatch(/^Basiq failed for \d+ users in a row \(400/);
    expect(failed.usersChecked).toBeLessThan(60);
    const callsWhileDown = (await control<Record<string, number>>(sandbox, "/__sandbox/stats"))[JOBS_ROUTE] ?? 0;
    expect(callsWhileDown).toBeLessThan(60);

    await control(sandbox, "/__sandbox/faults", { method: "DELETE" });
    const next = await sweepThroughEngine(db);
    expect(next).toMatchObject({ status: "completed", resumedFrom: failed.id, usersTotal: 60 - failed.usersChecked, errors: 0 });
    await expectStoredEqualsSandbox(db, sandbox, ids);
  });
});

describe("resuming", () => {
  it("an engine stopped mid-sweep leaves the run running; the next start finishes it, each user read once in all", async () => {
    const { db } = testDb;
    await seed(ids);
    await addFault(sandbox, { kind: "latency", route: JOBS_ROUTE, ms: 60 });
    await start({ batchSize: 10 });
    const first = planSweep(db, { trigger: "manual", batchSize: 10, enqueueBatches: (jobs) => enqueueMany(SWEEP_BATCH_QUEUE, jobs) });
    const { run } = (await first) as { run: { id: number } };
    await until(async () => (await db.$count(sweepBatches, eq(sweepBatches.status, "done"))) >= 1);
    await stopQueue(5_000); // the process goes away: calls in flight finish and are checkpointed
    const [stopped] = await db.select().from(sweepRuns).where(eq(sweepRuns.id, run.id));
    expect(stopped!.status).toBe("running");
    const [{ checked }] = (await db.select({ checked: sql<number>`sum(users_checked)::int` }).from(sweepBatches)) as [{ checked: number }];
    expect(checked).toBeLessThan(60);

    await start({ batchSize: 10 }); // the next start: failed-on-stop batches are retried from their cursors
    const done = await waitForSweep(db, run.id, { intervalMs: 100 });
    expect(done).toMatchObject({ status: "completed", usersChecked: 60, errors: 0 });
    expect(await jobsCallsPerUser(sandbox)).toEqual(oncePerUser(ids));
    await expectStoredEqualsSandbox(db, sandbox, ids);
  });

  it("a batch taken over after its worker died resumes after that worker's checkpoint; the dead worker's lease is void", async () => {
    const { db } = testDb;
    await seed(ids.slice(0, 20));
    const planned = await planSweep(db, { trigger: "manual", batchSize: 20, enqueueBatches: async () => {} });
    if (planned.status !== "started") throw new Error(planned.status);
    // A worker that died after checkpointing its first 12 users: its attempt 1 holds the batch.
    const order = (await db.select({ id: basiqUsers.id }).from(basiqUsers).orderBy(asc(basiqUsers.id))).map((r) => r.id);
    await db
      .update(sweepBatches)
      .set({ status: "running", attempt: 1, cursor: order[11]!, usersChecked: 12, instanceId: "dead-instance" })
      .where(eq(sweepBatches.sweepId, planned.run.id));
    await start();
    await planSweep(db, { trigger: "manual", enqueueBatches: (jobs) => enqueueMany(SWEEP_BATCH_QUEUE, jobs) }); // re-inserts its job
    const done = await waitForSweep(db, planned.run.id, { intervalMs: 100 });
    expect(done).toMatchObject({ status: "completed", usersChecked: 20 });
    expect(await jobsCallsPerUser(sandbox)).toEqual(oncePerUser(order.slice(12)));
    const [batch] = await db.select().from(sweepBatches);
    expect(batch).toMatchObject({ attempt: 2, status: "done", cursor: order[19] });
  });
});

describe("a worker killed mid-batch (SIGKILL)", () => {
  it("the takeover calls no user twice; every user is checked or reported unconfirmed, and the next sweep takes those first", async () => {
    const { db } = testDb;
    const users = ids.slice(0, 40);
    await seed(users);
    const planned = await planSweep(db, { trigger: "manual", batchSize: 40, enqueueBatches: async () => {} });
    if (planned.status !== "started") throw new Error(planned.status);
    await addFault(sandbox, { kind: "latency", route: JOBS_ROUTE, ms: 100 });

    // Worker A, in this process, is "killed" at a moment mid-batch: from then on it does nothing at all — no
    // database statement, no further call, no answer processed (calls already sent still reach the sandbox).
    let dead = false;
    const never = new Promise<never>(() => {});
    const clientA = new Proxy(client, {
      get(target, key, receiver) {
        if (key !== "listUserJobs") return Reflect.get(target, key, receiver) as unknown;
        return (...args: Parameters<BasiqClient["listUserJobs"]>) =>
          dead ? never : target.listUserJobs(...args).then((r) => (dead ? never : r), (e: unknown) => (dead ? never : Promise.reject(e)));
      },
    });
    const workerA = new SweepPool({ getDb: () => (dead ? never : Promise.resolve(db)), client: () => clientA });
    void workerA.runBatch({ sweepId: planned.run.id, batchNo: 0 }, 600);
    await until(async () => ((await control<Record<string, number>>(sandbox, "/__sandbox/stats"))[JOBS_ROUTE] ?? 0) >= 20);
    dead = true;

    // The batch's job is retried by a live instance (here: after its expiry, re-enqueued by the planner).
    await start();
    await planSweep(db, { trigger: "manual", enqueueBatches: (jobs) => enqueueMany(SWEEP_BATCH_QUEUE, jobs) });
    const done = await waitForSweep(db, planned.run.id, { intervalMs: 100 });

    const calls = await jobsCallsPerUser(sandbox);
    expect(Object.entries(calls).filter(([, n]) => n > 1)).toEqual([]); // nobody twice
    const unconfirmed = rowsOf<{ user_id: string }>(
      await db.execute(sql`select user_id from sweep_claims where sweep_id = ${planned.run.id} and result is null`),
    ).map((r) => r.user_id);
    expect(done).toMatchObject({ status: "completed", errors: 0 });
    expect(done.usersChecked + done.usersUnconfirmed).toBe(40);
    expect(done.usersUnconfirmed).toBe(unconfirmed.length);
    // Every user not called was claimed by the dead worker (unconfirmed), never silently skipped.
    expect(users.filter((id) => !calls[id]).every((id) => unconfirmed.includes(id))).toBe(true);
    if (unconfirmed.length > 0) {
      expect(done.message).toContain(`${unconfirmed.length === 1 ? "1 user" : `${unconfirmed.length} users`} unconfirmed`);
      expect(unconfirmed.length).toBeLessThanOrEqual(3 * 8 + 2); // claimed ahead + in flight + answered unwritten
    }

    // The next sweep puts the batches holding unconfirmed users first, and drops the old claims.
    const jobs: BatchJob[] = [];
    const next = await planSweep(db, { trigger: "manual", batchSize: 10, enqueueBatches: async (j) => void jobs.push(...j) });
    if (next.status !== "started") throw new Error(next.status);
    const order = (await db.select({ id: basiqUsers.id }).from(basiqUsers).orderBy(asc(basiqUsers.id))).map((r) => r.id);
    const firstBatches = new Set(unconfirmed.map((id) => Math.floor(order.indexOf(id) / 10)));
    expect(jobs.filter((j) => j.priority === 1).map((j) => j.data.batchNo).sort()).toEqual([...firstBatches].sort());
    expect(rowsOf(await db.execute(sql`select 1 from sweep_claims where sweep_id < ${next.run.id}`))).toHaveLength(0);
  });
});

describe("a slow batch", () => {
  it("stops taking users before its expiry, checkpoints and goes on in a new job: completed, each user read once", async () => {
    const { db } = testDb;
    await seed(ids);
    await addFault(sandbox, { kind: "latency", route: JOBS_ROUTE, ms: 500 });
    await start({ batchSize: 60, batchExpireSeconds: 4 }); // stops taking users after 3 s; 60 users need ~4 s
    const run = await sweepThroughEngine(db);
    expect(run).toMatchObject({ status: "completed", usersChecked: 60, errors: 0 });
    expect(await jobsCallsPerUser(sandbox)).toEqual(oncePerUser(ids));
    const [batch] = await db.select().from(sweepBatches).where(eq(sweepBatches.sweepId, run.id));
    expect(batch!.attempt).toBeGreaterThanOrEqual(2); // continued at least once
  });
});

describe("one run at a time", () => {
  it("a sweep requested while one runs finds it running and starts nothing; the database holds one running run at most", async () => {
    const { db } = testDb;
    await seed(ids.slice(0, 24));
    await addFault(sandbox, { kind: "latency", route: JOBS_ROUTE, ms: 40 });
    const planned = await planSweep(db, { trigger: "manual", enqueueBatches: async () => {} });
    const second = await planSweep(db, { trigger: "schedule", enqueueBatches: async () => {} });
    expect(second.status).toBe("already-running");
    expect(await db.$count(sweepRuns)).toBe(1);
    await expect(db.insert(sweepRuns).values({ trigger: "cli", status: "running" })).rejects.toThrow();
    if (planned.status !== "started") throw new Error(planned.status);
    await start();
    await planSweep(db, { trigger: "manual", enqueueBatches: (jobs) => enqueueMany(SWEEP_BATCH_QUEUE, jobs) });
    expect((await waitForSweep(db, planned.run.id, { intervalMs: 100 })).status).toBe("completed");
    expect((await jobsCallsPerUser(sandbox))).toEqual(oncePerUser(ids.slice(0, 24)));
  });

  it("a scheduled tick starts no sweep before SWEEP_INTERVAL_MINUTES have passed since the last completed one", async () => {
    const { db } = testDb;
    await db.insert(sweepRuns).values({ trigger: "schedule", status: "completed", startedAt: new Date(Date.now() - 3600_000) });
    const plan = (intervalMinutes: number) => planSweep(db, { trigger: "schedule", intervalMinutes, enqueueBatches: async () => {} });
    expect((await plan(1440)).status).toBe("not-due");
    expect((await plan(30)).status).toBe("started");
  });
});
