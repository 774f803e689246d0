// Purge and refresh against the real sandbox and a real database: refusals audited and sending nothing, outcome-unknown on network errors, the 20-a-day budget.
import { and, eq } from "drizzle-orm";
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";

import type { CurrentStaff } from "@/lib/auth/session";
import type { TestDatabase } from "@/test/db";
import { actAs } from "@/test/session-mock";

let sameOrigin = true;

vi.mock("@/lib/auth/session", async () => (await import("@/test/session-mock")).mockedSessionModule());
vi.mock("@/lib/security/origin", () => ({ isSameOriginRequest: async () => sameOrigin }));

const { createTestDatabase } = await import("@/test/db");
const { startSandbox } = await import("@/sandbox/server");
const { resetEnvForTests } = await import("@/lib/env");
const { basiq, resetBasiqClientForTests } = await import("@/lib/basiq");
const { useDatabaseForTests } = await import("@/lib/db/client");
const { auditEvents } = await import("@/lib/db/schema");
const { createStaff } = await import("@/lib/staff/accounts");
const { purgeConnection } = await import("./purge");
const { refreshConnection, OPEN_BANKING_DAILY_REFRESHES } = await import("./refresh");
const { purgeConnectionAction } = await import("@/app/(console)/users/[userId]/connections/[connectionId]/actions");
const { NotFoundError, UserFacingError } = await import("@/lib/errors");

let t: TestDatabase;
let sandbox: Awaited<ReturnType<typeof startSandbox>>;
let ids: string[];
let admin: CurrentStaff;

const PURGE = "POST /users/{userId}/connections/{connectionId}/purge";
const REFRESH = "POST /users/{userId}/connections/{connectionId}/refresh";

async function stats(): Promise<Record<string, number>> {
  return (await (await fetch(`${sandbox.url}/__sandbox/stats`)).json()) as Record<string, number>;
}
async function fault(body: Record<string, unknown>) {
  await fetch(`${sandbox.url}/__sandbox/faults`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) });
}
const used = new Set<string>(); // each test gets a connection of its own (a purge is remembered for 2 minutes)
async function activeConnection(method?: string): Promise<{ userId: string; connectionId: string }> {
  for (const userId of ids) {
    const c = (await basiq().listConnections(userId)).find(
      (x) => x.status === "active" && (!method || x.method === method) && !used.has(x.id),
    );
    if (c) {
      used.add(c.id);
      return { userId, connectionId: c.id };
    }
  }
  throw new Error("no active connection in the sandbox data");
}
async function audits(action: string, connectionId: string) {
  return t.db.select().from(auditEvents).where(and(eq(auditEvents.action, action), eq(auditEvents.targetConnectionId, connectionId)));
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
  const { id } = await createStaff(t.db, { email: "root@corp.example", name: "Root", role: "admin", password: "a long admin password" });
  admin = { id, email: "root@corp.example", name: "Root", role: "admin", signedInAt: Date.now() };
});
afterAll(async () => {
  await t?.close();
  await sandbox?.close();
});
beforeEach(async () => {
  actAs(admin);
  sameOrigin = true;
  admin.signedInAt = Date.now();
  await fetch(`${sandbox.url}/__sandbox/reset`, { method: "POST" });
});

describe("purge", () => {
  // Ten purges of one connection at once: lib/dal/purge-concurrency.test.ts (two pools on PostgreSQL).

  it("refuses a foreign or missing Origin, sends nothing to Basiq, and audits the refusal", async () => {
    const target = await activeConnection();
    sameOrigin = false;
    await expect(purgeConnection(admin, target)).rejects.toBeInstanceOf(UserFacingError);
    expect((await stats())[PURGE]).toBeUndefined();
    const [refusal] = await audits("purge.refused", target.connectionId);
    expect(refusal?.details).toEqual({ reason: "origin" });
  });

  it("asks for the password when the sign-in is older than 15 minutes", async () => {
    const target = await activeConnection();
    admin.signedInAt = Date.now() - 16 * 60_000;
    await expect(purgeConnection(admin, target)).rejects.toThrow(/15 minutes/);
    await expect(purgeConnection(admin, { ...target, password: "wrong password!" })).rejects.toThrow(/15 minutes/);
    expect((await stats())[PURGE]).toBeUndefined();
    expect((await purgeConnection(admin, { ...target, password: "a long admin password" })).status).toBe("succeeded");
  });

  it("refuses a connection of another user (404) without purging anything", async () => {
    const target = await activeConnection();
    const other = ids.find((id) => id !== target.userId)!;
    await expect(purgeConnection(admin, { userId: other, connectionId: target.connectionId })).rejects.toBeInstanceOf(NotFoundError);
    expect((await stats())[PURGE]).toBeUndefined();
    expect((await audits("purge.refused", target.connectionId)).map((a) => a.details)).toContainEqual({ reason: "not-found" });
  });

  it("reports a network error as outcome unknown and never retries it", async () => {
    const target = await activeConnection();
    await fault({ kind: "network", route: PURGE, count: 1 });
    const outcome = await purgeConnection(admin, target);
    expect(outcome.status).toBe("unknown");
    expect((await stats())[PURGE]).toBe(1);
    expect(await audits("purge.unknown", target.connectionId)).toHaveLength(1);
  });

  it("a purge Basiq refused (503) is recorded as failed, leaves the data, and may be tried again at once", async () => {
    const target = await activeConnection();
    await fault({ kind: "status", route: PURGE, status: 503, count: 1 });
    const first = await purgeConnection(admin, target);
    expect(first.status).toBe("failed");
    expect(first.status === "failed" && first.message).toMatch(/HTTP 503/);
    expect(await audits("purge.failed", target.connectionId)).toHaveLength(1);
    expect(await audits("purge.succeeded", target.connectionId)).toHaveLength(0);
    const connection = await basiq().getConnection(target.userId, target.connectionId);
    expect(connection.accounts?.data.length ?? 0).toBeGreaterThan(0); // nothing purged at Basiq
    const second = await purgeConnection(admin, target);
    expect(second.status).toBe("succeeded");
    expect((await stats())[PURGE]).toBe(2);
  });

  it("a purge with an unknown outcome is not repeated within the window", async () => {
    const target = await activeConnection();
    await fault({ kind: "network", route: PURGE, count: 1 });
    expect((await purgeConnection(admin, target)).status).toBe("unknown");
    expect((await purgeConnection(admin, target)).status).toBe("unknown");
    expect((await stats())[PURGE]).toBe(1);
  });

  it("the action refuses staff, support, and a missing confirmation — audited, nothing sent", async () => {
    const target = await activeConnection();
    for (const role of ["staff", "support"] as const) {
      actAs({ ...admin, role });
      const r = await purgeConnectionAction({ ...target, confirm: target.connectionId });
      expect(r.ok).toBe(false);
    }
    actAs(admin);
    const r = await purgeConnectionAction({ ...target, confirm: "not-the-id" });
    expect(r).toMatchObject({ ok: false, fieldErrors: { confirm: [expect.stringMatching(/Type the connection id/)] } });
    expect((await stats())[PURGE]).toBeUndefined();
    const refusals = (await audits("purge.refused", target.connectionId)).map((a) => (a.details as { reason: string }).reason);
    expect(refusals.filter((x) => x === "forbidden")).toHaveLength(2);
    expect(refusals).toContain("invalid-input");
  });
});

describe("refresh", () => {
  it("the 21st refresh of an open-banking connection within 24 h is refused before reaching Basiq", async () => {
    actAs({ ...admin, role: "support" });
    const target = await activeConnection("openbanking");
    for (let i = 0; i < OPEN_BANKING_DAILY_REFRESHES; i++) {
      const r = await refreshConnection(target.userId, target.connectionId);
      expect(r.jobId).toBeTruthy();
      // Let the job finish: a refresh while one runs joins it instead of starting another (issue 13).
      await fetch(`${sandbox.url}/__sandbox/clock`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ advanceSeconds: 4 }) });
    }
    await expect(refreshConnection(target.userId, target.connectionId)).rejects.toThrow(/20 of its 20 refreshes/);
    expect((await stats())[REFRESH]).toBe(OPEN_BANKING_DAILY_REFRESHES);
    expect(await audits("refresh.refused", target.connectionId)).toHaveLength(1);
    expect(await audits("refresh.started", target.connectionId)).toHaveLength(OPEN_BANKING_DAILY_REFRESHES);
  });

  it("staff cannot refresh", async () => {
    actAs({ ...admin, role: "staff" });
    const target = await activeConnection();
    await expect(refreshConnection(target.userId, target.connectionId)).rejects.toThrow(/permission/);
    expect((await stats())[REFRESH]).toBeUndefined();
  });
});

