// "Run sweep now" enqueues a sweep on the job engine and says "already running" when a sweep runs on any
// instance (the running row is shared through the database), or "already queued" when one waits to start.
// Both databases: in-memory PGlite, and PostgreSQL when DATABASE_URL is set.
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";

import type { TestDatabase } from "@/test/db";
import { actAs, staffWithRole } from "@/test/session-mock";

vi.mock("@/lib/auth/session", async () => (await import("@/test/session-mock")).mockedSessionModule());

describe("Run sweep now", () => {
  let t: TestDatabase;

  beforeAll(async () => {
    const { createTestDatabase } = await import("@/test/db");
    const { useDatabaseForTests } = await import("@/lib/db/client");
    const { startQueue } = await import("@/lib/queue/engine");
    const { createSweepQueues } = await import("@/lib/jobs/queues");
    const { createBasiqClient } = await import("@/lib/basiq/client");
    t = await createTestDatabase();
    useDatabaseForTests(t.db);
    const client = createBasiqClient({ baseUrl: "http://127.0.0.1:9", apiKey: "unused" });
    // Enqueue only (no workers): what was asked for stays visible in the queue.
    const queues = createSweepQueues({
      getDb: async () => t.db,
      client: () => client,
      intervalMinutes: () => 0,
      fleetMaxInFlight: () => undefined,
      batchExpireSeconds: () => 600,
    });
    await startQueue({ db: t.db, databaseUrl: t.url, queues, work: false, schedule: false });
  });
  afterAll(async () => {
    const { stopQueue } = await import("@/lib/queue/engine");
    await stopQueue(2_000);
    await t?.close();
  });

  it("enqueues a sweep (audited), then answers 'already queued' while it waits", async () => {
    const { startSweepNow } = await import("./sweep");
    const { queueEngine } = await import("@/lib/queue/engine");
    actAs(staffWithRole("admin", "00000000-0000-4000-8000-0000000000ad"));
    expect(await startSweepNow()).toEqual({ started: true, message: "Sweep started: progress below." });
    const engine = await queueEngine();
    expect(await engine!.boss.getQueueSize("sweep")).toBe(1);
    expect(await startSweepNow()).toEqual({ started: false, message: "A sweep is already queued to start." });
    expect(await engine!.boss.getQueueSize("sweep")).toBe(1);
  });

  it("answers 'already running' when a sweep runs (on this or another instance)", async () => {
    const { startSweepNow } = await import("./sweep");
    const { sweepRuns } = await import("@/lib/db/schema");
    await t.db.insert(sweepRuns).values({ trigger: "schedule", status: "running", startedAt: new Date("2026-01-01T03:04:00Z") });
    actAs(staffWithRole("admin", "00000000-0000-4000-8000-0000000000ad"));
    const answer = await startSweepNow();
    expect(answer).toEqual({ started: false, message: "A sweep is already running (since 03:04 UTC)." });
  });
});
