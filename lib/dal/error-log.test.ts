// The error log's pages (issue 18 item 10: the list kit's pager with totals) against a real database: keyset pages
// newest first cover every failed job exactly once — jobs Basiq gave no creation time included, last — each page
// knows its position among the total, and "Previous" walks back to the same pages.
// The null-dated jobs fail on the old code: its cursor "older than" had no `created_at is null` branch (those jobs
// were never reached after the first page), and a page ending on one wrote the cursor "|id", which the URL parser
// dropped, so "Older" reopened the first page.
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";

import type { TestDatabase } from "@/test/db";
import { actAs, staffWithRole } from "@/test/session-mock";

vi.mock("@/lib/auth/session", async () => (await import("@/test/session-mock")).mockedSessionModule());

const { createTestDatabase } = await import("@/test/db");
const { useDatabaseForTests } = await import("@/lib/db/client");
const { jobRuns } = await import("@/lib/db/schema");
const { listFailedJobs } = await import("./jobs");
const { parseErrorLogSearch } = await import("@/lib/search-params");

let t: TestDatabase;
const now = Date.parse("2026-11-20T00:00:00Z");

beforeAll(async () => {
  t = await createTestDatabase();
  useDatabaseForTests(t.db);
  // 7 dated failures (two share a creation time, so the id breaks the tie), 2 without a time, 1 success.
  const hours = [1, 2, 3, 3, 5, 8, 13];
  await t.db.insert(jobRuns).values([
    ...hours.map((h, i) => ({ id: `job-${i}`, userId: "u1", connectionId: "c1", outcome: "failed", errorCode: "connector-error", createdAt: new Date(now - h * 3600_000) })),
    { id: "job-undated-a", userId: "u2", outcome: "failed", errorCode: "connector-error" },
    { id: "job-undated-b", userId: "u2", outcome: "failed", errorCode: "connector-error" },
    { id: "job-ok", userId: "u1", outcome: "success", createdAt: new Date(now) },
  ]);
  actAs(staffWithRole("support"));
});
afterAll(async () => t?.close());

describe("error log pages", () => {
  it("cover every failed job once, newest first and undated last, each knowing its place in the total; Previous walks back", async () => {
    const expected = ["job-0", "job-1", "job-3", "job-2", "job-4", "job-5", "job-6", "job-undated-b", "job-undated-a"];
    const pages: Awaited<ReturnType<typeof listFailedJobs>>[] = [];
    let before: string | undefined;
    for (let i = 0; i < 10; i++) {
      // Through the URL parser, as the page's links are followed.
      const page = await listFailedJobs(parseErrorLogSearch(new URLSearchParams(before ? { before } : {})), 2);
      pages.push(page);
      if (!page.nextBefore) break;
      before = page.nextBefore;
    }
    expect(pages.flatMap((p) => p.rows.map((r) => r.id))).toEqual(expected);
    expect(pages.map((p) => [p.first, p.last, p.total])).toEqual([
      [1, 2, 9],
      [3, 4, 9],
      [5, 6, 9],
      [7, 8, 9],
      [9, 9, 9],
    ]);
    expect(pages.map((p) => p.hasPrevious)).toEqual([false, true, true, true, true]);

    // Back from the last page, one page at a time, to the first (which needs no cursor).
    let after = pages[4]!.previousAfter;
    for (const k of [3, 2]) {
      const back = await listFailedJobs(parseErrorLogSearch(new URLSearchParams({ after: after! })), 2);
      expect(back.rows.map((r) => r.id)).toEqual(pages[k]!.rows.map((r) => r.id));
      expect([back.first, back.last]).toEqual([pages[k]!.first, pages[k]!.last]);
      after = back.previousAfter;
    }
    expect(after).not.toBeNull();
    expect(pages[1]).toMatchObject({ hasPrevious: true, previousAfter: null });
    const top = await listFailedJobs(parseErrorLogSearch(new URLSearchParams({ after: after! })), 2);
    expect(top.rows.map((r) => r.id)).toEqual(pages[1]!.rows.map((r) => r.id));
  });

  it("counts the filter, not the page, and shows nothing past the end", async () => {
    const u2 = await listFailedJobs({ userId: "u2" }, 50);
    expect(u2).toMatchObject({ total: 2, first: 1, last: 2, nextBefore: null, hasPrevious: false });
    const none = await listFailedJobs({ userId: "nobody" }, 50);
    expect(none).toMatchObject({ total: 0, first: 0, last: 0, rows: [], nextBefore: null, hasPrevious: false });
  });
});
