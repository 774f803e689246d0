// Issue 18 item 2: staff (no jobs.read) see why a bank is not updating — the latest failure's code, reason and the
// sentence for the user — on the user and connection pages, without a link to the job page they cannot open.
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";

import type { TestDatabase } from "@/test/db";
import { actAs, staffWithRole } from "@/test/session-mock";

vi.mock("@/lib/auth/session", async () => (await import("@/test/session-mock")).mockedSessionModule());

const { createTestDatabase } = await import("@/test/db");
const { startSandbox } = await import("@/sandbox/server");
const { resetEnvForTests } = await import("@/lib/env");
const { resetBasiqClientForTests } = await import("@/lib/basiq");
const { useDatabaseForTests } = await import("@/lib/db/client");
const { getJobHistory, getJobDetail } = await import("@/lib/dal/jobs");
const { getUserDetail } = await import("@/lib/dal/users");
const { refreshConnectorsNow } = await import("@/lib/dal/connectors");
const { remediationCatalogue } = await import("@/lib/basiq/job-codes");
const { getLatestFailures } = await import("./latest-failure");

interface PersonaSummary {
  userId: string;
  demonstrates: string;
  connectionId: string | null;
  failedJobId: string | null;
}

let t: TestDatabase;
let sandbox: Awaited<ReturnType<typeof startSandbox>>;
let monica: PersonaSummary;

beforeAll(async () => {
  sandbox = await startSandbox({ port: 0, users: 40 });
  process.env.BASIQ_API_URL = sandbox.url;
  delete process.env.BASIQ_API_KEY;
  resetEnvForTests();
  resetBasiqClientForTests();
  t = await createTestDatabase();
  useDatabaseForTests(t.db);
  const personas = (await (await fetch(`${sandbox.url}/__sandbox/personas`)).json()) as PersonaSummary[];
  monica = personas.find((p) => p.demonstrates === "account-not-accessible-requires-user-action")!;
  // Support opens the user once: the directory and job_runs now hold the user's connections and jobs.
  actAs(staffWithRole("support", "00000000-0000-4000-8000-000000000013"));
  await refreshConnectorsNow();
  await getUserDetail(monica.userId);
  await getJobHistory(monica.userId);
});
afterAll(async () => {
  await t?.close();
  await sandbox?.close();
});

describe("getLatestFailures", () => {
  it("staff get the verdict of the latest failure (code, reason, tell-the-user) but no job id to link to", async () => {
    actAs(staffWithRole("staff", "00000000-0000-4000-8000-000000000011"));
    await expect(getJobDetail(monica.failedJobId!)).rejects.toThrow();
    const failures = await getLatestFailures(monica.userId, monica.connectionId!);
    expect(failures).toHaveLength(1);
    const [f] = failures;
    expect(f!.connectionId).toBe(monica.connectionId);
    expect(f!.jobId).toBeNull();
    expect(f!.verdict.code).toBe("account-not-accessible-requires-user-action");
    expect(f!.verdict.tellTheUser).toBe(remediationCatalogue["account-not-accessible-requires-user-action"].tellTheUser);
    expect(f!.verdict.reason).toMatch(/when this failed/);
  });

  it("support get the job id too (they may open the job page)", async () => {
    actAs(staffWithRole("support", "00000000-0000-4000-8000-000000000013"));
    const [f] = await getLatestFailures(monica.userId);
    expect(f!.jobId).toBe(monica.failedJobId);
  });

  it("rejects malformed ids without a query", async () => {
    actAs(staffWithRole("staff", "00000000-0000-4000-8000-000000000011"));
    expect(await getLatestFailures("../x")).toEqual([]);
  });

  it("refuses a caller without a session", async () => {
    actAs(null);
    await expect(getLatestFailures(monica.userId)).rejects.toThrow();
  });
});
