// Issue 18 item 4: after a purge the connection is shown as purged (when, by whom) until a successful job after
// the purge brings data back.
import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { createTestDatabase, type TestDatabase } from "@/test/db";
import { jobRuns, purgeOperations, staff } from "@/lib/db/schema";

import { purgedState } from "./purged-state";

let t: TestDatabase;
let adminId: string;

beforeAll(async () => {
  t = await createTestDatabase();
  const [a] = await t.db.insert(staff).values({ email: "ada@example.com", name: "Ada Admin", role: "admin" }).returning();
  adminId = a!.id;
});
afterAll(async () => t?.close());

const job = (id: string, connectionId: string, outcome: string, at: Date) => ({
  id,
  userId: "u1",
  connectionId,
  outcome,
  createdAt: at,
  updatedAt: at,
});

describe("purgedState", () => {
  it("is null for a connection never purged, or whose purge failed", async () => {
    expect(await purgedState(t.db, "c0")).toBeNull();
    await t.db.insert(purgeOperations).values({ userId: "u1", connectionId: "c0", requestedBy: adminId, status: "failed", finishedAt: new Date() });
    expect(await purgedState(t.db, "c0")).toBeNull();
  });

  it("names when and by whom after a successful purge, until a successful job after it", async () => {
    const purgedAt = new Date("2026-11-30T10:00:00.000Z");
    await t.db.insert(jobRuns).values(job("j-before", "c1", "success", new Date("2026-11-29T10:00:00.000Z")));
    await t.db
      .insert(purgeOperations)
      .values({ userId: "u1", connectionId: "c1", requestedBy: adminId, status: "succeeded", startedAt: purgedAt, finishedAt: purgedAt });
    expect(await purgedState(t.db, "c1")).toEqual({ at: purgedAt.toISOString(), by: "Ada Admin" });
    // A failed refresh brings nothing back.
    await t.db.insert(jobRuns).values(job("j-failed", "c1", "failed", new Date("2026-11-30T11:00:00.000Z")));
    expect(await purgedState(t.db, "c1")).not.toBeNull();
    // A successful one does.
    await t.db.insert(jobRuns).values(job("j-after", "c1", "success", new Date("2026-11-30T12:00:00.000Z")));
    expect(await purgedState(t.db, "c1")).toBeNull();
  });
});
