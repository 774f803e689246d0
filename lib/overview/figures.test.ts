// Issue 18 item 3: every overview figure equals the total of the list it opens. Failed jobs: the figure per code
// and the error log opened by its link (code + from) are one filter over one window. Fails on the old code: the
// figure counted the last 24 h, the link opened everything since yesterday's date (a 24–48 h window).
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";

import type { TestDatabase } from "@/test/db";
import { actAs, staffWithRole } from "@/test/session-mock";

vi.mock("@/lib/auth/session", async () => (await import("@/test/session-mock")).mockedSessionModule());

const { createTestDatabase } = await import("@/test/db");
const { useDatabaseForTests } = await import("@/lib/db/client");
const { jobRuns } = await import("@/lib/db/schema");
const { listFailedJobs } = await import("@/lib/dal/jobs");
const { parseErrorLogSearch } = await import("@/lib/search-params");
const { failedJobsByCode, failureWindow } = await import("./figures");

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
