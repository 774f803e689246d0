// The data-access layer against the real sandbox and a real database: policy checks, 404s, degraded pages,
// audited reveals, and the log line a Basiq failure leaves behind.
import { Writable } from "node:stream";

import { eq } from "drizzle-orm";
import pino from "pino";
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";

import type { CurrentStaff } from "@/lib/auth/session";
import type { TestDatabase } from "@/test/db";
import { actAs, staffWithRole } from "@/test/session-mock";

const logLines: Record<string, unknown>[] = [];
// Installed before anything imports lib/log, which adopts the process-wide logger it finds on globalThis.
(globalThis as { basiqConsoleLogger?: unknown }).basiqConsoleLogger = pino(
  { level: "info" },
  new Writable({
    write(chunk, _enc, done) {
      for (const line of String(chunk).split("\n").filter(Boolean)) logLines.push(JSON.parse(line) as Record<string, unknown>);
      done();
    },
  }),
);

vi.mock("@/lib/auth/session", async () => (await import("@/test/session-mock")).mockedSessionModule());

const as = (role: CurrentStaff["role"]) => staffWithRole(role, "00000000-0000-4000-8000-000000000001");

const { createTestDatabase } = await import("@/test/db");
const { startSandbox } = await import("@/sandbox/server");
const { resetEnvForTests } = await import("@/lib/env");
const { basiq, resetBasiqClientForTests } = await import("@/lib/basiq");
const { useDatabaseForTests } = await import("@/lib/db/client");
const { auditEvents } = await import("@/lib/db/schema");
const { syncDirectoryUser } = await import("@/lib/directory/sync");
const { getUserDetail, revealUserField, listUsers } = await import("./users");
const { getConnectionDetail } = await import("./connections");
const { listConnectorStatuses, getConnectorDetail } = await import("./connectors");
const { getOverview } = await import("./overview");
const { jobRuns, connectorStatusHistory } = await import("@/lib/db/schema");
const { ForbiddenError, NotFoundError, UnauthenticatedError } = await import("@/lib/errors");

let t: TestDatabase;
let sandbox: Awaited<ReturnType<typeof startSandbox>>;
let ids: string[];

async function fault(body: Record<string, unknown>) {
  await fetch(`${sandbox.url}/__sandbox/faults`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) });
}

beforeAll(async () => {
  sandbox = await startSandbox({ port: 0, users: 40 });
  process.env.BASIQ_API_URL = sandbox.url;
  delete process.env.BASIQ_API_KEY;
  resetEnvForTests();
  resetBasiqClientForTests();
  t = await createTestDatabase();
  useDatabaseForTests(t.db);
  ids = ((await (await fetch(`${sandbox.url}/__sandbox/users?limit=40`)).json()) as { ids: string[] }).ids;
  for (const id of ids.slice(0, 10)) await syncDirectoryUser(t.db, basiq(), id, "seed");
});
afterAll(async () => {
  await t?.close();
  await sandbox?.close();
});
beforeEach(async () => {
  actAs(as("staff"));
  logLines.length = 0;
  await fetch(`${sandbox.url}/__sandbox/faults`, { method: "DELETE" });
});

describe("users", () => {
  it("refuses anonymous callers before any I/O", async () => {
    actAs(null);
    await expect(listUsers({})).rejects.toBeInstanceOf(UnauthenticatedError);
    await expect(getUserDetail(ids[0]!)).rejects.toBeInstanceOf(UnauthenticatedError);
  });

  it("lists masked users for staff, with no ciphertext or blind index", async () => {
    const page = await listUsers({ pageSize: 100 });
    expect(page.total).toBe(10);
    const text = JSON.stringify(page.rows);
    expect(text).not.toMatch(/v1\.test1\.|emailIdx|mobileIdx|Enc"/);
    expect(page.rows.every((r) => !r.maskedEmail || r.maskedEmail.includes("•••"))).toBe(true);
  });

  it("answers NotFound for unknown and malformed ids", async () => {
    await expect(getUserDetail("no-such-user-1")).rejects.toBeInstanceOf(NotFoundError);
    await expect(getUserDetail("../../etc/passwd")).rejects.toBeInstanceOf(NotFoundError);
    await expect(getUserDetail("x".repeat(500))).rejects.toBeInstanceOf(NotFoundError);
  });

  it("renders from the directory when Basiq fails, and logs the userId with Basiq's correlationId", async () => {
    const userId = ids[2]!;
    await fault({ kind: "status", route: "GET /users/{userId}/connections", status: 503 });
    const detail = await getUserDetail(userId);
    expect(detail.connections).toBeNull();
    expect(detail.basiqProblem?.message).toMatch(/unavailable/);
    expect(detail.basiqProblem?.correlationId).toMatch(/\w{8}/);
    expect(detail.inDirectory).toBe(true);
    expect(detail.name).toBeTruthy();
    const line = logLines.find((l) => l.userId === userId && l.correlationId === detail.basiqProblem?.correlationId);
    expect(line, JSON.stringify(logLines)).toBeTruthy();
    expect(JSON.stringify(logLines)).not.toMatch(/Bearer|access_token|sandbox-key/);
  });

  it("lets support reveal one value, audited with the field and the user; staff may not", async () => {
    const userId = ids[1]!;
    await expect(revealUserField(userId, "email")).rejects.toBeInstanceOf(ForbiddenError);
    actAs(as("support"));
    const value = await revealUserField(userId, "email");
    expect(value).toMatch(/@/);
    const events = await t.db.select().from(auditEvents).where(eq(auditEvents.action, "pii.reveal"));
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({ targetUserId: userId, actorRole: "support", details: { field: "email" } });
    expect(JSON.stringify(events[0])).not.toContain(value!);
  });
});

describe("connections", () => {
  it("shows a user's connection, and 404s the same connection under another user", async () => {
    const [owner, other] = [ids[0]!, ids[3]!];
    const list = await basiq().listConnections(owner);
    expect(list.length).toBeGreaterThan(0);
    const detail = await getConnectionDetail(owner, list[0]!.id);
    expect(detail.id).toBe(list[0]!.id);
    expect(detail.statusExplained.length).toBeGreaterThan(10);
    await expect(getConnectionDetail(other, list[0]!.id)).rejects.toBeInstanceOf(NotFoundError);
  });

  it("shows balances only to roles allowed account details", async () => {
    const owner = ids[0]!;
    const [first] = await basiq().listConnections(owner);
    const asStaff = await getConnectionDetail(owner, first!.id);
    expect(asStaff.showBalances).toBe(false);
    expect(asStaff.accounts?.every((a) => a.balance === null)).toBe(true);
    expect(JSON.stringify(asStaff.accounts)).not.toMatch(/accountNo/);
    actAs(as("admin"));
    const asAdmin = await getConnectionDetail(owner, first!.id);
    expect(asAdmin.showBalances).toBe(true);
  });
});

describe("connectors", () => {
  it("records a status change seen by the next refresh, in the list and the timeline", async () => {
    process.env.CONNECTOR_CACHE_SECONDS = "0"; // every read refreshes
    resetEnvForTests();
    const before = await listConnectorStatuses({});
    const target = before.rows.find((c) => c.status === "operational" && c.method === "web")!;
    expect(target).toBeTruthy();
    await fault({ kind: "connector-status", connectorId: target.id, method: target.method, status: "major-outage" });
    const after = await listConnectorStatuses({});
    const changed = after.rows.find((c) => c.id === target.id && c.method === target.method)!;
    expect(changed.status).toBe("major-outage");
    expect(after.rows.indexOf(changed)).toBeLessThan(after.rows.findIndex((c) => c.status === "operational")); // attention first
    const history = await t.db.select().from(connectorStatusHistory).where(eq(connectorStatusHistory.connectorId, target.id));
    expect(history.some((h) => h.method === target.method && h.previousStatus === "operational" && h.status === "major-outage")).toBe(true);
    const detail = await getConnectorDetail(target.id, target.method);
    expect(detail.history[0]).toMatchObject({ status: "major-outage", previousStatus: "operational" });
    await fetch(`${sandbox.url}/__sandbox/reset`, { method: "POST" });
  });

  it("shows the last known statuses with their age and a problem when GET /connectors fails", async () => {
    process.env.CONNECTOR_CACHE_SECONDS = "0";
    resetEnvForTests();
    const known = await listConnectorStatuses({});
    await fault({ kind: "status", route: "GET /connectors", status: 503 });
    const list = await listConnectorStatuses({});
    expect(list.problem?.message).toMatch(/503/);
    expect(list.rows.length).toBe(known.rows.length);
    expect(list.fetchedAt).toBeTruthy();
  });

  it("flags a failure spike at one institution on the connectors list and the overview", async () => {
    process.env.CONNECTOR_CACHE_SECONDS = "300";
    resetEnvForTests();
    const list = await listConnectorStatuses({});
    const victim = list.rows.find((c) => c.status === "operational")!;
    const now = Date.now();
    await t.db.insert(jobRuns).values(
      Array.from({ length: 12 }, (_, i) => ({
        id: `spike-${i}`,
        userId: ids[0]!,
        institutionId: victim.id,
        outcome: "failed",
        failedStep: "retrieve-transactions",
        errorCode: "connector-error",
        createdAt: new Date(now - i * 60_000),
      })),
    );
    // failure stats are cached for a minute per process: drop the cache as a minute passing would
    (globalThis as { connectorStats?: unknown }).connectorStats = undefined;
    const flagged = (await listConnectorStatuses({ q: victim.id })).rows;
    expect(flagged.length).toBeGreaterThan(0);
    expect(flagged.every((c) => c.spike && c.failed24h === 12)).toBe(true);
    expect(flagged.find((c) => c.method === victim.method)?.status).toBe("operational"); // Basiq still says operational: flagged anyway
    const overview = await getOverview();
    expect(overview.connectorsNeedingAttention.filter((c) => c.id === victim.id && c.spike).length).toBeGreaterThan(0);
    expect(overview.failedByCode.find((f) => f.key === "connector-error")?.count).toBeGreaterThanOrEqual(12);
  });
});
