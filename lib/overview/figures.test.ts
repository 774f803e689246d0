// Issue 18 item 3: every overview figure equals the total of the list it opens. Failed jobs: the figure per code
// and the error log opened by its link (code + from) are one filter over one window. Fails on the old code: the
// figure counted the last 24 h, the link opened everything since yesterday's date (a 24–48 h window).
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";

import type { TestDatabase } from "@/test/db";
import { actAs, staffWithRole } from "@/test/session-mock";

vi.mock("@/lib/auth/session", async () => (await import("@/test/session-mock")).mockedSessionModule());

const { createTestDatabase } = await import("@/test/db");
const { useDatabaseForTests } = await import("@/lib/db/client");
const { basiqUsers, jobRuns } = await import("@/lib/db/schema");
const { searchDirectory, COUNT_CAP } = await import("@/lib/directory/search");
const { sql } = await import("drizzle-orm");
const { listFailedJobs } = await import("@/lib/dal/jobs");
const { parseErrorLogSearch, parseUsersSearch } = await import("@/lib/search-params");
const { directoryFigures, failedJobsByCode, failureWindow } = await import("./figures");

let t: TestDatabase;
const now = Date.now();

beforeAll(async () => {
  t = await createTestDatabase();
  useDatabaseForTests(t.db);
  // Failures 1 h, 20 h, 30 h and 40 h ago, and 5 days ago; a job without a code.
  const hoursAgo = [1, 20, 30, 40, 120];
  await t.db.insert(jobRuns).values([
    ...hoursAgo.map((h, i) => ({
      id: `job-${i}`,
      userId: "u1",
      connectionId: "c1",
      outcome: "failed",
      errorCode: "connector-error",
      createdAt: new Date(now - h * 3600_000),
    })),
    { id: "job-nocode", userId: "u1", connectionId: "c1", outcome: "failed", createdAt: new Date(now - 3600_000) },
  ]);
});
afterAll(async () => t?.close());

describe("failed jobs by code", () => {
  it("each figure with a link equals the error log total its link opens", async () => {
    actAs(staffWithRole("support"));
    const figures = await failedJobsByCode(t.db, failureWindow(new Date(now)));
    const linked = figures.filter((f) => f.href);
    expect(linked.length).toBeGreaterThan(0);
    for (const f of linked) {
      const url = new URL(f.href!, "http://console.test");
      expect(url.pathname).toBe("/jobs");
      const list = await listFailedJobs(parseErrorLogSearch(url.searchParams));
      expect(list.total, f.href!).toBe(f.count);
    }
  });

  it("a job without a code is a plain number: no error-log filter can open exactly it", async () => {
    const figures = await failedJobsByCode(t.db, failureWindow(new Date(now)));
    expect(figures.find((f) => f.key === "unknown")).toMatchObject({ count: 1, href: null });
  });
});

// Issue 15: the directory's figures come from one statement (not one searchDirectory per status); each must still
// be the total the users list shows when its link is opened — same users, same "10,000+" cap.
describe("directory figures", () => {
  const user = (id: string, connectionStatuses: string[], extra: Partial<typeof basiqUsers.$inferInsert> = {}) => ({
    id,
    source: "test",
    connectionStatuses,
    lastSyncedAt: new Date(now - 3600_000),
    ...extra,
  });

  beforeAll(async () => {
    await t.db.insert(basiqUsers).values([
      user("u-active", ["active"]),
      user("u-both", ["active", "invalid"], { lastSyncedAt: new Date(now - 60_000) }),
      user("u-invalid", ["invalid"]),
      user("u-pending", ["pending"]),
      user("u-none", []),
      user("u-odd", ["some-new-status"]),
      user("u-gone", ["active", "invalid"], { deletedAt: new Date(now - 1000), lastSyncedAt: new Date(now) }),
    ]);
  });

  async function listTotal(href: string) {
    const search = parseUsersSearch(new URL(href, "http://console.test").searchParams);
    const list = await searchDirectory(t.db, { status: search.status, pageSize: 1 });
    return { count: list.total, capped: list.totalIsCapped };
  }

  it("each status figure with a link equals the users list total its link opens; the users figure the unfiltered list", async () => {
    const f = await directoryFigures(t.db);
    expect(f.usersByStatus.map((s) => [s.key, s.count])).toEqual([
      ["active", 2],
      ["invalid", 2],
      ["pending", 1],
      ["some-new-status", 1],
    ]);
    const linked = f.usersByStatus.filter((s) => s.href);
    expect(linked.map((s) => s.key)).toEqual(["active", "invalid", "pending"]);
    for (const s of linked) expect(await listTotal(s.href!), s.href!).toEqual({ count: s.count, capped: false });
    // A status the list's filter cannot express is a plain number.
    expect(f.usersByStatus.find((s) => s.key === "some-new-status")?.href).toBeNull();
    expect(f.usersFigure).toMatchObject({ count: 6, capped: false, href: "/users" });
    expect(await listTotal(f.usersFigure.href!)).toEqual({ count: 6, capped: false });
    expect(f.users).toBe(6);
    // The newest sync of a user still in the directory (the deleted one synced later).
    expect(f.lastSyncedAt).toBe(new Date(now - 60_000).toISOString());
  });

  it("beyond COUNT_CAP users the figure says 10,000+ as the list does", async () => {
    await t.db.execute(
      sql`insert into basiq_users (id, source, connection_statuses) select 'bulk-' || n, 'test', array['active'] from generate_series(1, ${COUNT_CAP}) as n`,
    );
    const f = await directoryFigures(t.db);
    const active = f.usersByStatus.find((s) => s.key === "active")!;
    expect(active).toMatchObject({ count: COUNT_CAP, capped: true });
    expect(await listTotal(active.href!)).toEqual({ count: COUNT_CAP, capped: true });
    expect(f.usersFigure).toMatchObject({ count: COUNT_CAP, capped: true });
    expect(f.users).toBe(COUNT_CAP + 6);
    expect(f.usersByStatus.find((s) => s.key === "invalid")).toMatchObject({ count: 2, capped: false });
  });
});
