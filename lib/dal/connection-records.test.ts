// Issue 15: the connection page's refresh budget and purged state come from one read of the connection's records
// (lib/dal/connection-records.ts). They must say what each said when it read its own table: the same refreshes
// counted (spending outcomes of the last 24 h only) and the same last successful purge (by whom, when).
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";

import type { TestDatabase } from "@/test/db";
import { actAs, staffWithRole } from "@/test/session-mock";

vi.mock("@/lib/auth/session", async () => (await import("@/test/session-mock")).mockedSessionModule());

const { createTestDatabase } = await import("@/test/db");
const { useDatabaseForTests } = await import("@/lib/db/client");
const { databaseQueryCount } = await import("@/lib/db/query-count");
const { purgeOperations, refreshLog, staff } = await import("@/lib/db/schema");
const { getRefreshBudget } = await import("./refresh");
const { getPurgedState, purgedState } = await import("@/lib/purge/purged-state");

let t: TestDatabase;
const now = Date.now();
const hoursAgo = (h: number) => new Date(now - h * 3600_000);

beforeAll(async () => {
  t = await createTestDatabase();
  useDatabaseForTests(t.db);
  const [ada] = await t.db.insert(staff).values({ email: "ada@example.com", name: "Ada Admin", role: "admin" }).returning();
  const [bob] = await t.db.insert(staff).values({ email: "bob@example.com", name: "Bob Admin", role: "admin" }).returning();
  const refresh = (connectionId: string, outcome: string, at: Date) => ({ userId: "u1", connectionId, requestedBy: ada!.id, outcome, requestedAt: at });
  await t.db.insert(refreshLog).values([
    refresh("c1", "started", hoursAgo(1)),
    refresh("c1", "unknown", hoursAgo(5)),
    refresh("c1", "pending", hoursAgo(23)),
    refresh("c1", "started", hoursAgo(25)), // outside the 24 h window
    refresh("c1", "refused-budget", hoursAgo(2)), // spends nothing
    refresh("c1", "joined", hoursAgo(3)), // spends nothing
    refresh("c2", "started", hoursAgo(1)), // another connection
  ]);
  const purge = (connectionId: string, status: string, by: string, at: Date) => ({
    userId: "u1",
    connectionId,
    requestedBy: by,
    status,
    startedAt: at,
    finishedAt: at,
  });
  await t.db.insert(purgeOperations).values([
    purge("c1", "succeeded", ada!.id, hoursAgo(48)),
    purge("c1", "succeeded", bob!.id, hoursAgo(10)), // the last successful one
    purge("c1", "failed", ada!.id, hoursAgo(4)),
    purge("c2", "succeeded", ada!.id, hoursAgo(1)),
  ]);
});
afterAll(async () => t?.close());

describe("the connection's records, read once for the budget and the purged state", () => {
  it("counts the spending refreshes of the last 24 h of this connection only", async () => {
    actAs(staffWithRole("support"));
    const budget = await getRefreshBudget("c1", "openbanking");
    expect(budget).toMatchObject({ limited: true, used: 3, limit: 20, nextAvailableAt: null, basiqJobs: null });
    expect((await getRefreshBudget("c3", "web")).used).toBe(0);
  });

  it("gives the last successful purge, as the direct read of purge_operations does", async () => {
    actAs(staffWithRole("support"));
    const shared = await getPurgedState("c1");
    expect(shared).toEqual({ at: hoursAgo(10).toISOString(), by: "Bob Admin" });
    expect(shared).toEqual(await purgedState(t.db, "c1"));
    expect(await getPurgedState("c3")).toBeNull();
  });

  it("reads the refreshes and the last purge in one statement", async () => {
    actAs(staffWithRole("support"));
    const before = databaseQueryCount();
    await getRefreshBudget("c3", "web");
    expect(databaseQueryCount() - before).toBe(1);
  });

  it("still checks each caller's permission", async () => {
    actAs(staffWithRole("staff"));
    await expect(getRefreshBudget("c1", "openbanking")).rejects.toThrow();
    actAs(null);
    await expect(getPurgedState("c1")).rejects.toThrow();
  });
});
