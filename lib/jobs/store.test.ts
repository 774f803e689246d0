// Mapping Basiq jobs to job_runs rows, and upserting them by job id: no duplicates, honest counts.
import { eq, sql } from "drizzle-orm";
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";

import type { BasiqClient } from "@/lib/basiq/client";
import type { Job } from "@/lib/basiq/schemas";
import { rowsOf } from "@/lib/db/client";
import { jobRuns } from "@/lib/db/schema";
import { createTestDatabase, type TestDatabase } from "@/test/db";

import { jobRunValues, storeUserJobs, upsertJobs } from "./store";

const USER = "user-1";
const base = "https://au-api.basiq.io";

function job(id: string, steps: Job["steps"], overrides: Partial<Job> = {}): Job {
  return {
    type: "job",
    id,
    created: "2026-03-01T10:00:00Z",
    updated: "2026-03-01T10:00:05Z",
    institution: { id: "AU00000", type: "institution", links: { self: `${base}/institutions/AU00000` } },
    steps,
    links: { self: `${base}/jobs/${id}`, source: `${base}/users/${USER}/connections/conn-9` },
    ...overrides,
  };
}

const ok = (title: Job["steps"][number]["title"]) =>
  ({ title, status: "success", result: { type: "link", url: `/users/${USER}/accounts` } }) as const;
const pending = (title: Job["steps"][number]["title"]) =>
  ({ title, status: "pending", result: null }) as const;

const failedJob = job("job-failed", [
  ok("verify-credentials"),
  {
    title: "retrieve-accounts",
    status: "failed",
    result: {
      type: "error",
      code: "user-action-required",
      title: "Action required",
      detail: "Log in to your bank and accept the new terms.",
      url: "https://help.example/uar",
    },
  },
  pending("retrieve-transactions"),
]);

let testDb: TestDatabase;

beforeAll(async () => {
  testDb = await createTestDatabase();
});
afterAll(async () => {
  await testDb?.close();
});
beforeEach(async () => {
  await testDb.db.delete(jobRuns);
});

describe("jobRunValues", () => {
  it("maps every field of a failed job, the failed step's error included", () => {
    expect(jobRunValues(failedJob, USER, 7)).toEqual({
      id: "job-failed",
      userId: USER,
      connectionId: "conn-9",
      institutionId: "AU00000",
      outcome: "failed",
      failedStep: "retrieve-accounts",
      errorCode: "user-action-required",
      errorTitle: "Action required",
      errorDetail: "Log in to your bank and accept the new terms.",
      errorUrl: "https://help.example/uar",
      steps: [
        { title: "verify-credentials", status: "success", result: { url: `/users/${USER}/accounts` } },
        {
          title: "retrieve-accounts",
          status: "failed",
          result: {
            code: "user-action-required",
            title: "Action required",
            detail: "Log in to your bank and accept the new terms.",
            url: "https://help.example/uar",
          },
        },
        { title: "retrieve-transactions", status: "pending", result: null },
      ],
      createdAt: new Date("2026-03-01T10:00:00Z"),
      updatedAt: new Date("2026-03-01T10:00:05Z"),
      firstSeenSweepId: 7,
    });
  });

  it("falls back to `details` when Basiq sends that instead of `detail`", () => {
    const j = job("job-details", [
      {
        title: "verify-credentials",
        status: "failed",
        result: { code: "invalid-credentials", details: "Wrong password." },
      },
    ]);
    const row = jobRunValues(j, USER, null);
    expect(row.errorDetail).toBe("Wrong password.");
    expect(row.steps?.[0]?.result).toEqual({ code: "invalid-credentials", detail: "Wrong password." });
    expect(row.errorTitle).toBeNull();
    expect(row.errorUrl).toBeNull();
    expect(row.firstSeenSweepId).toBeNull();
  });

  it("leaves the error empty on a successful or running job, and tolerates missing links and bad dates", () => {
    const done = jobRunValues(job("j-ok", [ok("verify-credentials"), ok("retrieve-accounts")]), USER, null);
    expect(done).toMatchObject({ outcome: "success", failedStep: null, errorCode: null, errorDetail: null });
    const running = jobRunValues(
      job("j-run", [ok("verify-credentials"), pending("retrieve-accounts")], {
        links: undefined,
        updated: "not a date",
      }),
      USER,
      null,
    );
    expect(running).toMatchObject({ outcome: "in-progress", connectionId: null, updatedAt: null });
  });
});

describe("upsertJobs", () => {
  const first = [failedJob, job("job-ok", [ok("verify-credentials"), ok("retrieve-accounts")])];

  it("stores every field, and a second upsert updates instead of duplicating", async () => {
    const { db } = testDb;
    expect(await upsertJobs(db, USER, first, 3)).toEqual({ inserted: 2, updated: 0, newFailures: 1 });
    const [stored] = await db.select().from(jobRuns).where(eq(jobRuns.id, "job-failed"));
    expect(stored).toMatchObject({
      ...jobRunValues(failedJob, USER, 3),
      firstSeenSweepId: 3,
    });
    const firstSeenAt = stored!.firstSeenAt;

    await new Promise((r) => setTimeout(r, 20));
    expect(await upsertJobs(db, USER, first, 4)).toEqual({ inserted: 0, updated: 2, newFailures: 0 });
    expect(await db.$count(jobRuns)).toBe(2);
    const [again] = await db.select().from(jobRuns).where(eq(jobRuns.id, "job-failed"));
    // The first sighting is kept; the last one moves on.
    expect(again!.firstSeenSweepId).toBe(3);
    expect(again!.firstSeenAt).toEqual(firstSeenAt);
    expect(again!.lastSeenAt.getTime()).toBeGreaterThan(firstSeenAt.getTime());
  });

  it("counts a job whose outcome changed to failed as a new failure, and updates its fields", async () => {
    const { db } = testDb;
    const running = job("job-x", [
      ok("verify-credentials"),
      { title: "retrieve-accounts", status: "in-progress", result: null },
    ]);
    expect(await upsertJobs(db, USER, [running], null)).toEqual({ inserted: 1, updated: 0, newFailures: 0 });
    const nowFailed = job("job-x", [
      ok("verify-credentials"),
      {
        title: "retrieve-accounts",
        status: "failed",
        result: { code: "system-unavailable", title: "Bank down" },
      },
    ]);
    expect(await upsertJobs(db, USER, [nowFailed, failedJob], 9)).toEqual({
      inserted: 1,
      updated: 1,
      newFailures: 2,
    });
    const [x] = await db.select().from(jobRuns).where(eq(jobRuns.id, "job-x"));
    expect(x).toMatchObject({
      outcome: "failed",
      failedStep: "retrieve-accounts",
      errorCode: "system-unavailable",
      firstSeenSweepId: null,
    });
    // Seen failed again: not new any more.
    expect(await upsertJobs(db, USER, [nowFailed], 10)).toEqual({ inserted: 0, updated: 1, newFailures: 0 });
  });

  it("accepts the same job twice in one call, empty lists, and more rows than one statement takes", async () => {
    const { db } = testDb;
    expect(await upsertJobs(db, USER, [], 1)).toEqual({ inserted: 0, updated: 0, newFailures: 0 });
    expect(await upsertJobs(db, USER, [failedJob, failedJob], 1)).toEqual({
      inserted: 1,
      updated: 0,
      newFailures: 1,
    });
    const many = Array.from({ length: 1_234 }, (_, i) => job(`bulk-${i}`, [ok("verify-credentials")]));
    expect(await upsertJobs(db, USER, many, 2)).toEqual({ inserted: 1_234, updated: 0, newFailures: 0 });
    const [dupes] = rowsOf<{ n: number }>(
      await db.execute(sql`select count(*)::int - count(distinct id)::int as n from job_runs`),
    );
    expect(dupes?.n).toBe(0);
  });
});

describe("storeUserJobs", () => {
  it("fetches the user's jobs once and stores them", async () => {
    const listUserJobs = vi.fn(async () => ({ jobs: [failedJob], truncated: false }));
    const client = { listUserJobs } as unknown as BasiqClient;
    const r = await storeUserJobs(testDb.db, client, USER);
    expect(listUserJobs).toHaveBeenCalledTimes(1);
    expect(listUserJobs).toHaveBeenCalledWith(USER, expect.objectContaining({ userId: USER }));
    expect(r).toMatchObject({ inserted: 1, updated: 0, newFailures: 1, truncated: false, jobs: [failedJob] });
    const [row] = await testDb.db.select().from(jobRuns);
    expect(row).toMatchObject({ id: "job-failed", firstSeenSweepId: null });
  });
});
