// Every newly seen failed job leaves exactly one structured log line (userId, connectionId, jobId, code, step),
// whoever stores it first: the sweep, a page view or a sync, one after the other or at the same time.
import { Writable } from "node:stream";

import pino from "pino";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";

import type { Job } from "@/lib/basiq/schemas";
import type { TestDatabase } from "@/test/db";

const lines: Record<string, unknown>[] = [];
// Installed before anything imports lib/log, which adopts the process-wide logger it finds on globalThis.
(globalThis as { basiqConsoleLogger?: unknown }).basiqConsoleLogger = pino(
  { level: "info" },
  new Writable({
    write(chunk, _enc, done) {
      for (const line of String(chunk).split("\n").filter(Boolean)) lines.push(JSON.parse(line) as Record<string, unknown>);
      done();
    },
  }),
);

const { createTestDatabase } = await import("@/test/db");
const { jobRuns } = await import("@/lib/db/schema");
const { upsertJobs } = await import("./store");

const USER = "user-7";
const base = "https://au-api.basiq.io";

function job(id: string, failed: boolean): Job {
  return {
    type: "job",
    id,
    created: "2026-03-01T10:00:00Z",
    updated: "2026-03-01T10:00:05Z",
    institution: { id: "AU00000", type: "institution", links: { self: `${base}/institutions/AU00000` } },
    steps: [
      { title: "verify-credentials", status: "success", result: { type: "link", url: "/x" } },
      failed
        ? { title: "retrieve-accounts", status: "failed", result: { type: "error", code: "service-unavailable", title: "Service unavailable.", detail: "try later" } }
        : { title: "retrieve-accounts", status: "in-progress", result: null },
      { title: "retrieve-transactions", status: "pending", result: null },
    ],
    links: { self: `${base}/jobs/${id}`, source: `${base}/users/${USER}/connections/conn-3` },
  };
}

const failureLines = () => lines.filter((l) => l.msg === "Basiq job failed");

let t: TestDatabase;
beforeAll(async () => {
  t = await createTestDatabase();
});
afterAll(async () => {
  await t?.close();
});
beforeEach(async () => {
  lines.length = 0;
  await t.db.delete(jobRuns);
});

describe("failed-job log line", () => {
  // Fails on the old code: nothing was logged per failed job (the sweep logged counts only).
  it("a newly found failed job produces exactly one line with userId, connectionId, jobId, code and step", async () => {
    await upsertJobs(t.db, USER, [job("job-a", true), job("job-b", false)], 1);
    expect(failureLines()).toHaveLength(1);
    expect(failureLines()[0]).toMatchObject({
      level: 40,
      userId: USER,
      connectionId: "conn-3",
      jobId: "job-a",
      code: "service-unavailable",
      step: "retrieve-accounts",
    });
    // Seen again by the next sweep, a page view, a sync: no second line.
    await upsertJobs(t.db, USER, [job("job-a", true)], 2);
    await upsertJobs(t.db, USER, [job("job-a", true)], null);
    expect(failureLines()).toHaveLength(1);
  });

  it("a running job that fails later is logged once, when it fails", async () => {
    expect((await upsertJobs(t.db, USER, [job("job-c", false)], null)).newFailures).toBe(0);
    expect(failureLines()).toHaveLength(0);
    expect((await upsertJobs(t.db, USER, [job("job-c", true)], null)).newFailures).toBe(1);
    expect((await upsertJobs(t.db, USER, [job("job-c", true)], null)).newFailures).toBe(0);
    expect(failureLines().map((l) => l.jobId)).toEqual(["job-c"]);
  });

  it("readers storing the same failed job at the same time log it once between them", async () => {
    const counts = await Promise.all(Array.from({ length: 6 }, (_, i) => upsertJobs(t.db, USER, [job("job-d", true)], i % 2 ? null : 5)));
    expect(counts.reduce((sum, c) => sum + c.newFailures, 0)).toBe(1);
    expect(failureLines()).toHaveLength(1);
  });
});
