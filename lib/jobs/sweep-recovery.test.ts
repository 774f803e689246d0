// Issue 14 item 11 (sweep part): a sweep run left "running" by a dead process is marked failed at start-up;
// on PostgreSQL a run whose instance still holds the sweep lock is left alone.
import { eq } from "drizzle-orm";
import postgres from "postgres";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

import type { TestDatabase } from "@/test/db";

const { createTestDatabase } = await import("@/test/db");
const { sweepRuns } = await import("@/lib/db/schema");
const { markCrashedSweepRuns, CRASHED_SWEEP_MESSAGE } = await import("./sweep-recovery");

let t: TestDatabase;
beforeAll(async () => {
  t = await createTestDatabase();
});
afterAll(async () => {
  await t?.close();
});

describe(`crashed sweep runs at start-up (${process.env.DATABASE_URL ? "PostgreSQL" : "PGlite"})`, () => {
  it("a run left running by a stopped process is marked failed, still resumable from its cursor", async () => {
    const [run] = await t.db.insert(sweepRuns).values({ trigger: "schedule", status: "running", cursor: "user-42" }).returning();
    expect(await markCrashedSweepRuns(t.db, t.url)).toBe(1);
    const [row] = await t.db.select().from(sweepRuns).where(eq(sweepRuns.id, run!.id));
    expect(row).toMatchObject({ status: "failed", message: CRASHED_SWEEP_MESSAGE, cursor: "user-42" });
    expect(row!.finishedAt).not.toBeNull();
    expect(await markCrashedSweepRuns(t.db, t.url)).toBe(0);
  });

  it.runIf(!!process.env.DATABASE_URL)("PostgreSQL: a run whose instance holds the sweep lock is left running", async () => {
    const [run] = await t.db.insert(sweepRuns).values({ trigger: "schedule", status: "running" }).returning();
    const live = postgres(t.url!, { max: 1, onnotice: () => {} });
    try {
      await live`select pg_advisory_lock(4812002::bigint)`;
      expect(await markCrashedSweepRuns(t.db, t.url)).toBe(0);
      expect((await t.db.select().from(sweepRuns).where(eq(sweepRuns.id, run!.id)))[0]!.status).toBe("running");
    } finally {
      await live.end({ timeout: 5 });
    }
    expect(await markCrashedSweepRuns(t.db, t.url)).toBe(1); // its process gone, the lock is free
  });
});
