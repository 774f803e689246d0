// /operations data: the engine's queues, a failed job listed with its error, and retrying it (admins only,
// audited). On the test database: in-memory PGlite, PostgreSQL when DATABASE_URL is set.
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";

import type { TestDatabase } from "@/test/db";
import { actAs, staffWithRole } from "@/test/session-mock";

vi.mock("@/lib/auth/session", async () => (await import("@/test/session-mock")).mockedSessionModule());

describe("operations (job engine) for admins", () => {
  let t: TestDatabase;
  let attempts = 0;

  beforeAll(async () => {
    const { createTestDatabase } = await import("@/test/db");
    const { useDatabaseForTests } = await import("@/lib/db/client");
    const { startQueue } = await import("@/lib/queue/engine");
    t = await createTestDatabase();
    useDatabaseForTests(t.db);
    await startQueue({
      db: t.db,
      databaseUrl: t.url,
      schedule: false,
      queues: [
        {
          name: "ops-test",
          handler: async () => {
            attempts++;
            if (attempts === 1) throw new Error("first attempt fails\nsecond line never shown");
          },
          options: { retryLimit: 0, pollingIntervalSeconds: 0.5 },
        },
      ],
    });
  });
  afterAll(async () => {
    const { stopQueue } = await import("@/lib/queue/engine");
    await stopQueue(2_000);
    await t?.close();
  });

  it("lists a failed job with its error's first line, retries it (audited), and refuses support", async () => {
    const { enqueue } = await import("@/lib/queue/engine");
    const { getOperations, retryJob } = await import("./operations");
    const { auditEvents } = await import("@/lib/db/schema");
    actAs(staffWithRole("admin", "00000000-0000-4000-8000-0000000000ad"));
    const jobId = (await enqueue("ops-test", { n: 1 }))!;
    const deadline = Date.now() + 20_000;
    let ops = await getOperations();
    // getOperations reads the counts, then the failed list, then the dead letters, in separate statements: a job
    // that fails between them is in the lists but not yet in the counts. Wait until the counts have it too.
    const settled = () => {
      const counts = ops.queues.find((q) => q.name === "ops-test")?.counts;
      return ops.failed.some((j) => j.id === jobId) && ops.deadLetters.length === 1 && counts?.active === 0 && counts.failed === 1;
    };
    while (!settled() && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 100));
      ops = await getOperations();
    }
    expect(ops.running).toBe(true);
    expect(ops.queues.find((q) => q.name === "ops-test")?.counts.failed).toBe(1);
    expect(ops.failed.find((j) => j.id === jobId)).toMatchObject({ queue: "ops-test", state: "failed", error: "first attempt fails" });
    expect(ops.deadLetters.map((j) => j.queue)).toEqual(["ops-test__dead"]);

    await retryJob({ queue: "ops-test", jobId });
    while (attempts < 2 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    expect(attempts).toBe(2);
    const audit = await t.db.select().from(auditEvents).where(eq(auditEvents.action, "operations.retry"));
    expect(audit).toHaveLength(1);
    expect(audit[0]!.details).toEqual({ queue: "ops-test", jobId });
    await expect(retryJob({ queue: "ops-test", jobId })).rejects.toThrow(/No failed job/);

    actAs(staffWithRole("support"));
    await expect(getOperations()).rejects.toThrow();
    await expect(retryJob({ queue: "ops-test", jobId })).rejects.toThrow();
  });
});
