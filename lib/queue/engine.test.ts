// The job engine on the test database (in-memory PGlite; PostgreSQL when DATABASE_URL is set): one code path.
import { afterEach, describe, expect, it } from "vitest";

import { createTestDatabase, type TestDatabase } from "@/test/db";

import { enqueue, queueEngine, startQueue, stopQueue } from "./engine";
import type { QueueDefinition } from "./types";

let t: TestDatabase | undefined;
afterEach(async () => {
  await stopQueue(2_000);
  await t?.close();
  t = undefined;
});

const until = async (check: () => boolean | Promise<boolean>, ms = 20_000) => {
  const end = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > end) throw new Error("timed out");
    await new Promise((r) => setTimeout(r, 50));
  }
};

describe("job engine", () => {
  it("runs an enqueued job's handler with its data, then stops cleanly", async () => {
    t = await createTestDatabase();
    const seen: unknown[] = [];
    const queues: QueueDefinition[] = [
      { name: "engine-test", handler: async (data: { n: number }) => void seen.push(data.n), options: { pollingIntervalSeconds: 0.5 } },
    ];
    await startQueue({ db: t.db, databaseUrl: t.url, queues });
    expect(await enqueue("engine-test", { n: 7 })).toMatch(/[0-9a-f-]{36}/);
    await until(() => seen.length === 1);
    expect(seen).toEqual([7]);
    await stopQueue(2_000);
    expect(await queueEngine()).toBeNull();
    // The database is still usable after the engine stopped (PGlite not closed or wedged by it).
    expect(await t.db.execute("select 1 as one")).toBeTruthy();
  });

  it("retries a failing job and sends one that fails every retry to its dead-letter queue", async () => {
    t = await createTestDatabase();
    let calls = 0;
    const queues: QueueDefinition[] = [
      {
        name: "engine-flaky",
        handler: async () => {
          calls++;
          throw new Error("always fails");
        },
        options: { retryLimit: 1, retryDelay: 0, retryBackoff: false, pollingIntervalSeconds: 0.5 },
      },
    ];
    const engine = await startQueue({ db: t.db, databaseUrl: t.url, queues });
    await enqueue("engine-flaky", { x: 1 });
    await until(async () => (await engine.boss.getQueueSize("engine-flaky__dead")) === 1);
    expect(calls).toBe(2); // the first attempt and one retry
  });

  it("installs cron schedules of the registered queues, and a singleton queue refuses a second queued job", async () => {
    t = await createTestDatabase();
    const queues: QueueDefinition[] = [
      { name: "engine-cron", handler: async () => {}, options: { cron: "*/5 * * * *", policy: "stately" } },
    ];
    const engine = await startQueue({ db: t.db, databaseUrl: t.url, queues, work: false });
    expect((await engine.boss.getSchedules()).map((s) => [s.name, s.cron])).toEqual([["engine-cron", "*/5 * * * *"]]);
    expect(await enqueue("engine-cron", {})).not.toBeNull();
    expect(await enqueue("engine-cron", {})).toBeNull();
  });
});
