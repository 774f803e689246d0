// Job pages against the real sandbox: Basiq's jianYang persona (service-unavailable) and its playbooks, advice
// that follows the connector's status (a major outage turns "retry" into "wait until lifted"), and the connector
// of a job found from the connection itself when the directory does not know it (never `web` by default).
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";

import type { TestDatabase } from "@/test/db";
import { actAs, staffWithRole } from "@/test/session-mock";

vi.mock("@/lib/auth/session", async () => (await import("@/test/session-mock")).mockedSessionModule());

const { createTestDatabase } = await import("@/test/db");
const { startSandbox } = await import("@/sandbox/server");
const { resetEnvForTests } = await import("@/lib/env");
const { resetBasiqClientForTests } = await import("@/lib/basiq");
const { useDatabaseForTests } = await import("@/lib/db/client");
const { getJobDetail } = await import("./jobs");
const { refreshConnectorsNow } = await import("./connectors");
const { connectorStatusHistory } = await import("@/lib/db/schema");

interface PersonaSummary {
  userId: string;
  loginId: string;
  demonstrates: string;
  connectionId: string | null;
  failedJobId: string | null;
}

let t: TestDatabase;
let sandbox: Awaited<ReturnType<typeof startSandbox>>;
let personas: PersonaSummary[];

const persona = (demonstrates: string) => {
  const found = personas.find((p) => p.demonstrates === demonstrates);
  if (!found?.failedJobId) throw new Error(`no persona for ${demonstrates}`);
  return found as PersonaSummary & { failedJobId: string };
};

beforeAll(async () => {
  sandbox = await startSandbox({ port: 0, users: 40 });
  process.env.BASIQ_API_URL = sandbox.url;
  delete process.env.BASIQ_API_KEY;
  resetEnvForTests();
  resetBasiqClientForTests();
  t = await createTestDatabase();
  useDatabaseForTests(t.db);
  personas = (await (await fetch(`${sandbox.url}/__sandbox/personas`)).json()) as PersonaSummary[];
});
afterAll(async () => {
  await t?.close();
  await sandbox?.close();
});
beforeEach(async () => {
  await t.db.delete(connectorStatusHistory);
  actAs(staffWithRole("support", "00000000-0000-4000-8000-000000000013"));
  await fetch(`${sandbox.url}/__sandbox/reset`, { method: "POST" });
  await refreshConnectorsNow();
});

describe("jianYang: service-unavailable", () => {
  it("is Basiq's jianYang persona, and its job page shows the service-unavailable playbook", async () => {
    const jian = persona("service-unavailable");
    expect(jian.loginId).toBe("jianYang");
    const job = await getJobDetail(jian.failedJobId);
    expect(job.outcome).toBe("failed");
    expect(job.remediation?.code).toBe("service-unavailable");
    expect(job.remediation?.meaning).toMatch(/every 2 hours/);
    expect(job.connector).toMatchObject({ id: "AU00000", method: "web" });
    expect(job.connector?.status).not.toBe("major-outage");
    // Hooli is not in a major outage: Basiq's "anything else" playbook.
    expect(job.remediation?.supportAction).toMatch(/wait 10 minutes and refresh once/);
    expect(job.remediation?.refreshWorthIt).toBe(true);
  });

  const outageNow = async () => {
    const set = await fetch(`${sandbox.url}/__sandbox/faults`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ kind: "connector-status", connectorId: "AU00000", method: "web", status: "major-outage" }),
    });
    expect(set.status).toBe(200);
    await refreshConnectorsNow();
  };

  // Issue 18 item 1. Fails on the old code: the advice followed the connector's status *now* (major outage), so a
  // failure from before the outage read "wait until the outage is lifted" beside "likely bank-side".
  it("a failure from before today's outage is judged by the status when it failed, not by the outage now", async () => {
    const jian = persona("service-unavailable");
    const before = await getJobDetail(jian.failedJobId);
    expect(before.remediation?.reason).toMatch(/no record of Hooli's status when this failed/); // a fresh console
    const failedAt = new Date(before.updated ?? before.created ?? Date.now());
    // The console saw Hooli operational before the job failed, then in a major outage today.
    await t.db.insert(connectorStatusHistory).values({
      connectorId: "AU00000",
      method: "web",
      status: "operational",
      observedAt: new Date(failedAt.getTime() - 3600_000),
    });
    await outageNow();
    const job = await getJobDetail(jian.failedJobId);
    expect(job.connector?.status).toBe("major-outage");
    expect(job.remediation?.code).toBe("service-unavailable");
    expect(job.remediation?.statusAtFailure).not.toBe("major-outage");
    expect(job.remediation?.supportAction).toMatch(/wait 10 minutes and refresh once/);
    expect(job.remediation?.reason).toMatch(/^Hooli was .* when this failed\. It is in a major outage now\.$/);
  });

  it("with its connector in a major outage when the job failed (status history) the advice becomes: wait until the outage is lifted", async () => {
    const jian = persona("service-unavailable");
    const before = await getJobDetail(jian.failedJobId);
    const failedAt = new Date(before.updated ?? before.created ?? Date.now());
    await t.db.insert(connectorStatusHistory).values({
      connectorId: "AU00000",
      method: "web",
      status: "major-outage",
      previousStatus: "operational",
      observedAt: new Date(failedAt.getTime() - 60_000),
    });
    const job = await getJobDetail(jian.failedJobId);
    expect(job.remediation?.statusAtFailure).toBe("major-outage");
    expect(job.remediation?.supportAction).toMatch(/Hooli \(AU00000, web\) is in a major outage: wait until the outage is lifted/);
    expect(job.remediation?.supportAction).not.toMatch(/10 minutes/);
    expect(job.remediation?.refreshWorthIt).toBe(false);
    expect(job.remediation?.adjustedFor?.status).toBe("major-outage");
    expect(job.remediation?.reason).toMatch(/^Hooli was in a major outage when this failed/);
  });
});

describe("connector of a job", () => {
  // Fails on the old code: a connection missing from the directory was looked up as a `web` connector.
  it("an open-banking job whose connection is not in the directory gets the open-banking connector", async () => {
    const p = persona("institution-not-available"); // AU00301, openbanking
    const job = await getJobDetail(p.failedJobId);
    expect(job.connector).toMatchObject({ id: "AU00301", method: "openbanking" });
  });

  it("says the connector is unknown (null) rather than guessing when the connection cannot be read", async () => {
    const p = persona("job-timed-out"); // AU00701, openbanking
    await fetch(`${sandbox.url}/__sandbox/faults`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ kind: "status", route: "GET /users/{userId}/connections/{connectionId}", status: 404 }),
    });
    const job = await getJobDetail(p.failedJobId);
    expect(job.institutionId).toBe("AU00701");
    expect(job.connector).toBeNull();
  });
});
