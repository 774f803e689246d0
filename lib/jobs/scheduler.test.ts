// The web server's sweep timer: sweep then events sync, when due, one cycle at a time, stoppable.
import { eq, sql } from "drizzle-orm";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";

import { createBasiqClient, type BasiqClient } from "@/lib/basiq/client";
import { basiqUsers, sweepRuns, syncCursors } from "@/lib/db/schema";
import { loadEnv } from "@/lib/env";
import { startSandbox } from "@/sandbox/server";
import { createTestDatabase, type TestDatabase } from "@/test/db";

import { startJobScheduler, type JobSchedulerOptions, type StopJobScheduler } from "./scheduler";
import type { RunSweepOptions, SweepResult, SweepRun } from "./sweep";

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function until(check: () => boolean | Promise<boolean>, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error("timed out waiting");
    await sleep(10);
  }
}

let testDb: TestDatabase;
let stop: StopJobScheduler | undefined;
const client = {} as BasiqClient; // the fakes below never call it

beforeAll(async () => {
  testDb = await createTestDatabase();
});
afterAll(async () => {
  await testDb?.close();
});
beforeEach(async () => {
  await testDb.db.execute(sql`truncate sweep_runs, job_runs, basiq_users, sync_cursors cascade`);
});
afterEach(async () => {
  await stop?.();
  stop = undefined;
  vi.restoreAllMocks();
});

/** Fakes that record the order of calls and whether two ever ran at once. */
function recorder(sweepResult: () => Promise<SweepResult> = async () => completed()) {
  const calls: string[] = [];
  const sweeps: RunSweepOptions[] = [];
  let busy = false;
  let overlapped = false;
  const enter = () => {
    if (busy) overlapped = true;
    busy = true;
  };
  const sweep = vi.fn(async (o: RunSweepOptions) => {
    enter();
    calls.push("sweep");
    sweeps.push(o);
    try {
      await sleep(30);
      return await sweepResult();
    } finally {
      busy = false;
    }
  });
  const syncEvents = vi.fn(async () => {
    enter();
    calls.push("events");
    await sleep(10);
    busy = false;
  });
  return { calls, sweeps, sweep, syncEvents, overlapped: () => overlapped };
}

const completed = (): SweepResult => ({ status: "completed", run: { id: 1 } as SweepRun });

function start(options: JobSchedulerOptions): StopJobScheduler {
  stop = startJobScheduler({
    getDb: async () => testDb.db,
    getClient: () => client,
    databaseUrl: testDb.url,
    firstCheckDelayMs: 0,
    retryDelayMs: 20,
    ...options,
  });
  return stop;
}

describe("startJobScheduler", () => {
  it("runs the sweep, then the events sync, each cycle, never two at once, until stopped", async () => {
    const r = recorder();
    const halt = start({ intervalMinutes: 0.001, sweep: r.sweep, syncEvents: r.syncEvents }); // 60 ms
    await until(() => r.calls.length >= 6);
    await halt();
    const after = r.calls.length;
    expect(r.calls.slice(0, 6)).toEqual(["sweep", "events", "sweep", "events", "sweep", "events"]);
    expect(r.overlapped()).toBe(false);
    // (identity checks: a deep comparison of a drizzle database object never ends)
    expect(r.sweeps[0]?.db).toBe(testDb.db);
    expect(r.sweeps[0]?.client).toBe(client);
    expect(r.sweeps[0]?.trigger).toBe("schedule");
    expect(r.sweeps[0]?.databaseUrl).toBe(testDb.url);
    await sleep(150);
    expect(r.calls.length).toBe(after);
  });

  it("is off at 0 minutes", async () => {
    const r = recorder();
    start({ intervalMinutes: 0, sweep: r.sweep, syncEvents: r.syncEvents });
    await sleep(100);
    expect(r.calls).toEqual([]);
  });

  it("does not sweep while the last completed sweep is newer than the interval", async () => {
    const { db } = testDb;
    const [recent] = await db.insert(sweepRuns).values({ trigger: "cli", status: "completed" }).returning();
    const r = recorder();
    start({ intervalMinutes: 1, sweep: r.sweep, syncEvents: r.syncEvents });
    await sleep(150);
    expect(r.calls).toEqual([]);
    await stop?.();

    // Once that sweep is older than the interval, the first check after start runs one.
    await db
      .update(sweepRuns)
      .set({ startedAt: new Date(Date.now() - 61_000) })
      .where(eq(sweepRuns.id, recent!.id));
    start({ intervalMinutes: 1, sweep: r.sweep, syncEvents: r.syncEvents });
    await until(() => r.calls.length >= 2);
    expect(r.calls).toEqual(["sweep", "events"]);
  });

  it("leaves the events to the instance that is sweeping, and looks again later", async () => {
    const r = recorder(async () => ({ status: "already-running", runningSince: new Date() }));
    start({ intervalMinutes: 60, sweep: r.sweep, syncEvents: r.syncEvents });
    await until(() => r.sweep.mock.calls.length >= 2); // after retryDelayMs, not an hour
    expect(r.syncEvents).not.toHaveBeenCalled();
  });

  it("keeps going after a failed sweep: the events still sync, and it retries after the retry delay", async () => {
    const r = recorder(async () => {
      throw new Error("Basiq is down");
    });
    start({ intervalMinutes: 60, sweep: r.sweep, syncEvents: r.syncEvents });
    await until(() => r.sweep.mock.calls.length >= 2);
    expect(r.calls.slice(0, 3)).toEqual(["sweep", "events", "sweep"]);
  });

  it("stop() interrupts a running sweep and resolves once it has wound down", async () => {
    let sawAbort = false;
    const sweep = vi.fn(
      (o: RunSweepOptions) =>
        new Promise<SweepResult>((_, reject) => {
          o.signal?.addEventListener("abort", () => {
            sawAbort = true;
            setTimeout(() => reject(o.signal?.reason), 20);
          });
        }),
    );
    const syncEvents = vi.fn(async () => {});
    const halt = start({ intervalMinutes: 60, sweep, syncEvents });
    await until(() => sweep.mock.calls.length === 1);
    await halt();
    expect(sawAbort).toBe(true);
    expect(syncEvents).not.toHaveBeenCalled();
  });

  it("never keeps the process alive: its timers are unref'd", async () => {
    const timers: NodeJS.Timeout[] = [];
    const real = globalThis.setTimeout;
    vi.spyOn(globalThis, "setTimeout").mockImplementation(((fn: () => void, ms?: number) => {
      const t = real(fn, ms);
      timers.push(t);
      return t;
    }) as typeof setTimeout);
    start({ intervalMinutes: 60, firstCheckDelayMs: 60_000, sweep: vi.fn(), syncEvents: vi.fn() });
    vi.mocked(globalThis.setTimeout).mockRestore();
    expect(timers.length).toBeGreaterThan(0);
    expect(timers.every((t) => !t.hasRef())).toBe(true);
  });

  it("for real: sweeps the directory against the sandbox and then reads Basiq's events feed", async () => {
    const sandbox = await startSandbox({ port: 0, users: 20 });
    try {
      const { ids } = (await (await fetch(`${sandbox.url}/__sandbox/users?limit=20`)).json()) as {
        ids: string[];
      };
      await testDb.db.insert(basiqUsers).values(ids.map((id) => ({ id, source: "seed" })));
      const real = createBasiqClient({ baseUrl: sandbox.url, apiKey: "sandbox-key" });
      start({ intervalMinutes: 60, getClient: () => real });
      await until(
        async () => (await testDb.db.$count(syncCursors, eq(syncCursors.name, "basiq-events"))) === 1,
        30_000,
      );
      await stop?.();
      const [run] = await testDb.db.select().from(sweepRuns);
      expect(run).toMatchObject({ trigger: "schedule", status: "completed", usersChecked: 20, errors: 0 });
      const stats = (await (await fetch(`${sandbox.url}/__sandbox/stats`)).json()) as Record<string, number>;
      expect(stats["GET /users/{userId}/jobs"]).toBe(20);
      expect(stats["GET /events"]).toBeGreaterThan(0);
    } finally {
      await sandbox.close();
    }
  }, 60_000);
});

describe("SWEEP_INTERVAL_MINUTES", () => {
  it("defaults to a day, allows 0 (off), treats empty as unset, and names itself when invalid", () => {
    expect(loadEnv({}).sweepIntervalMinutes).toBe(1440);
    expect(loadEnv({ SWEEP_INTERVAL_MINUTES: "" }).sweepIntervalMinutes).toBe(1440);
    expect(loadEnv({ SWEEP_INTERVAL_MINUTES: "0" }).sweepIntervalMinutes).toBe(0);
    expect(loadEnv({ SWEEP_INTERVAL_MINUTES: "60" }).sweepIntervalMinutes).toBe(60);
    expect(() => loadEnv({ SWEEP_INTERVAL_MINUTES: "soon" })).toThrow(/SWEEP_INTERVAL_MINUTES/);
    expect(() => loadEnv({ SWEEP_INTERVAL_MINUTES: "-5" })).toThrow(/SWEEP_INTERVAL_MINUTES/);
  });
});
