// Refresh as Basiq behaves (issue 13): only active connections; a refresh while a job runs joins it (200 + the
// original job) without spending budget; the 20 a day count Basiq's own job history (the partner app's
// refreshes too); Basiq's documented refusals (400/403/503, no 429) become clear messages.
import { and, eq } from "drizzle-orm";
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";

import type { CurrentStaff } from "@/lib/auth/session";
import type { TestDatabase } from "@/test/db";
import { actAs } from "@/test/session-mock";

vi.mock("@/lib/auth/session", async () => (await import("@/test/session-mock")).mockedSessionModule());

const { createTestDatabase } = await import("@/test/db");
const { startSandbox } = await import("@/sandbox/server");
const { resetEnvForTests } = await import("@/lib/env");
const { basiq, resetBasiqClientForTests } = await import("@/lib/basiq");
const { useDatabaseForTests } = await import("@/lib/db/client");
const { auditEvents, refreshLog } = await import("@/lib/db/schema");
const { refreshConnection, getRefreshBudget, jobWindow, OPEN_BANKING_DAILY_REFRESHES } = await import("./refresh");
const { UserFacingError } = await import("@/lib/errors");

let t: TestDatabase;
let sandbox: Awaited<ReturnType<typeof startSandbox>>;
let ids: string[];
const support: CurrentStaff = { id: "00000000-0000-4000-8000-0000000013b0", email: "s@corp.example", name: "S", role: "support", signedInAt: Date.now() };

const REFRESH = "POST /users/{userId}/connections/{connectionId}/refresh";

async function control(path: string, body?: unknown) {
  const res = await fetch(`${sandbox.url}/__sandbox/${path}`, {
    method: body === undefined && path === "stats" ? "GET" : "POST",
    headers: body === undefined ? {} : { "content-type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return res.json() as Promise<Record<string, number>>;
}
const stats = () => control("stats");
/** Lets running sandbox jobs finish (3 steps of a second each). */
const finishJobs = () => control("clock", { advanceSeconds: 4 });

/** The partner's own app, refreshing with the same key straight against Basiq (here: the sandbox). */
async function partnerRefresh(userId: string, connectionId: string): Promise<number> {
  const token = ((await (await fetch(`${sandbox.url}/token`, {
    method: "POST",
    headers: { authorization: "Basic sandbox-key", "basiq-version": "3.0", "content-type": "application/x-www-form-urlencoded" },
    body: "scope=SERVER_ACCESS",
  })).json()) as { access_token: string }).access_token;
  const res = await fetch(`${sandbox.url}/users/${userId}/connections/${connectionId}/refresh`, {
    method: "POST",
    headers: { authorization: `Bearer ${token}`, accept: "application/json" },
  });
  await res.arrayBuffer();
  return res.status;
}

const used = new Set<string>();
/** An active connection with no job in the last 24 h and none running: a full budget. */
async function idleConnection(method: string, status = "active"): Promise<{ userId: string; connectionId: string }> {
  for (const userId of ids) {
    for (const c of await basiq().listConnections(userId)) {
      if (c.status !== status || c.method !== method || used.has(c.id)) continue;
      const window = jobWindow((await basiq().listUserJobs(userId, { connectionId: c.id })).jobs);
      if (window.createdInWindow.length > 0 || window.runningJobId) continue;
      used.add(c.id);
      return { userId, connectionId: c.id };
    }
  }
  throw new Error(`no idle ${status} ${method} connection in the sandbox data`);
}
async function audits(action: string, connectionId: string) {
  return t.db.select().from(auditEvents).where(and(eq(auditEvents.action, action), eq(auditEvents.targetConnectionId, connectionId)));
}
async function basiqJobs(userId: string, connectionId: string) {
  return (await basiq().listUserJobs(userId, { connectionId })).jobs;
}

beforeAll(async () => {
  sandbox = await startSandbox({ port: 0, users: 80 });
  process.env.BASIQ_API_URL = sandbox.url;
  delete process.env.BASIQ_API_KEY;
  resetEnvForTests();
  resetBasiqClientForTests();
  t = await createTestDatabase();
  useDatabaseForTests(t.db);
  ids = ((await (await fetch(`${sandbox.url}/__sandbox/users?limit=80`)).json()) as { ids: string[] }).ids;
});
afterAll(async () => {
  await t?.close();
  await sandbox?.close();
});
beforeEach(async () => {
  actAs(support);
  await control("reset", {});
});

describe("refresh while a job is running", () => {
  // Fails on the old code: the second click started (or was refused as) a second refresh and spent budget twice.
  it("a second click joins the running job: one Basiq job, budget +1 not +2, one refresh.joined audit", async () => {
    const target = await idleConnection("openbanking");
    const before = await getRefreshBudget(target.connectionId, "openbanking", target.userId);
    expect(before.used).toBe(0);
    const first = await refreshConnection(target.userId, target.connectionId);
    const second = await refreshConnection(target.userId, target.connectionId);
    expect(first.joined).toBe(false);
    expect(second).toMatchObject({ joined: true, jobId: first.jobId });
    expect(second.budget.used).toBe(1);
    expect((await getRefreshBudget(target.connectionId, "openbanking", target.userId)).used).toBe(1);
    const jobs = await basiqJobs(target.userId, target.connectionId);
    expect(jobs.filter((j) => j.id === first.jobId)).toHaveLength(1);
    expect(jobWindow(jobs).createdInWindow).toHaveLength(1);
    expect(await audits("refresh.started", target.connectionId)).toHaveLength(1);
    expect(await audits("refresh.joined", target.connectionId)).toHaveLength(1);
  });

  it("a true double-click (both in flight at once) makes one Basiq job; Basiq's 200 + original job is 'joined'", async () => {
    const target = await idleConnection("openbanking");
    const [a, b] = await Promise.all([
      refreshConnection(target.userId, target.connectionId),
      refreshConnection(target.userId, target.connectionId),
    ]);
    expect(a.jobId).toBe(b.jobId);
    expect([a.joined, b.joined].sort()).toEqual([false, true]);
    expect(jobWindow(await basiqJobs(target.userId, target.connectionId)).createdInWindow).toHaveLength(1);
    expect((await getRefreshBudget(target.connectionId, "openbanking", target.userId)).used).toBe(1);
    const rows = await t.db.select().from(refreshLog).where(eq(refreshLog.connectionId, target.connectionId));
    expect(rows.map((r) => r.outcome).filter((o) => o !== "joined")).toEqual(["started"]);
    expect(await audits("refresh.started", target.connectionId)).toHaveLength(1);
    expect(await audits("refresh.joined", target.connectionId)).toHaveLength(1);
  });

  it("Basiq answering 200 with the original job (history unreadable, so the POST is sent) is joined, not spent", async () => {
    const target = await idleConnection("openbanking");
    const first = await refreshConnection(target.userId, target.connectionId);
    await control("faults", { kind: "status", route: "GET /users/{userId}/jobs", status: 404 });
    const second = await refreshConnection(target.userId, target.connectionId);
    await fetch(`${sandbox.url}/__sandbox/faults`, { method: "DELETE" });
    expect((await stats())[REFRESH]).toBe(2); // the second POST went out and Basiq answered 200
    expect(second).toMatchObject({ joined: true, jobId: first.jobId });
    const rows = await t.db.select().from(refreshLog).where(eq(refreshLog.connectionId, target.connectionId));
    expect(rows.map((r) => r.outcome).sort()).toEqual(["joined", "started"]);
    expect((await getRefreshBudget(target.connectionId, "openbanking", target.userId)).used).toBe(1);
    expect(await audits("refresh.joined", target.connectionId)).toHaveLength(1);
  });
});

describe("the 20 a day", () => {
  // Fails on the old code: only the console's own refresh_log was counted, so the partner's 19 were invisible.
  it("refreshes the partner's app made directly against Basiq count toward the 20", async () => {
    const target = await idleConnection("openbanking");
    for (let i = 0; i < OPEN_BANKING_DAILY_REFRESHES - 1; i++) {
      expect(await partnerRefresh(target.userId, target.connectionId)).toBe(202);
      await finishJobs();
    }
    expect((await getRefreshBudget(target.connectionId, "openbanking", target.userId)).used).toBe(19);
    const ours = await refreshConnection(target.userId, target.connectionId);
    expect(ours).toMatchObject({ joined: false, budget: { used: 20, basiqJobs: 20 } });
    await finishJobs();
    const refreshesBefore = (await stats())[REFRESH];
    await expect(refreshConnection(target.userId, target.connectionId)).rejects.toThrow(/20 of its 20 refreshes .*every app using this Basiq key/);
    expect((await stats())[REFRESH]).toBe(refreshesBefore); // refused before reaching Basiq
    expect((await audits("refresh.refused", target.connectionId)).map((a) => a.details)).toEqual([
      { reason: "budget", used: 20, basiqJobs: 20 },
    ]);
  });

  it("Basiq's own refusal (403 in its documented shape, no 429) is reported clearly and spends nothing", async () => {
    const target = await idleConnection("openbanking");
    await control("faults", { kind: "status", route: REFRESH, status: 403, count: 1 });
    const error = await refreshConnection(target.userId, target.connectionId).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UserFacingError);
    expect((error as Error).message).toMatch(/^Basiq refused the refresh \(403 forbidden-access\)\. .*20 refreshes a day/);
    expect((await getRefreshBudget(target.connectionId, "openbanking", target.userId)).used).toBe(0);
    const [failed] = await audits("refresh.failed", target.connectionId);
    expect(failed?.details).toMatchObject({ outcome: "refused-basiq", status: 403, code: "forbidden-access" });
  });

  it("503 says Basiq is temporarily unavailable and nothing started", async () => {
    const target = await idleConnection("web");
    await control("faults", { kind: "status", route: REFRESH, status: 503, count: 1 });
    await expect(refreshConnection(target.userId, target.connectionId)).rejects.toThrow(/temporarily unavailable .*no refresh was started/);
  });
});

describe("inactive connections", () => {
  // Fails on the old code: the refresh was sent to Basiq whatever the connection's status.
  it.each(["invalid", "pending"])("a %s connection is refused with the reason and 0 refresh calls to Basiq", async (status) => {
    let target: { userId: string; connectionId: string } | null = null;
    for (const method of ["web", "openbanking"]) {
      target = await idleConnection(method, status).catch(() => null);
      if (target) break;
    }
    if (!target) {
      // Every sandbox user has a seeded job history; fall back to any connection in that status.
      for (const userId of ids) {
        const c = (await basiq().listConnections(userId)).find((x) => x.status === status && (x.method === "web" || x.method === "openbanking"));
        if (c) {
          target = { userId, connectionId: c.id };
          break;
        }
      }
    }
    expect(target).not.toBeNull();
    const { userId, connectionId } = target!;
    const error = await refreshConnection(userId, connectionId).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UserFacingError);
    expect((error as Error).message).toMatch(status === "invalid" ? /invalid, so a refresh will not work: ask the user to reconnect/ : /pending: the user has not finished connecting/);
    expect((await stats())[REFRESH]).toBeUndefined();
    expect((await audits("refresh.refused", connectionId)).map((a) => a.details)).toEqual([{ reason: "inactive", status }]);
  });
});
