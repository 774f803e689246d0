// Issue 14 item 9: crashes leave records. A purge left "in progress" by a process that died (kill -9 mid-call)
// becomes "outcome unknown" with exactly one `purge.unknown` audit row — at start-up, or as soon as a retry or a
// waiting submission finds it — and the retry gets that outcome at once with no call to Basiq (no 45 s wait, no
// false "another purge is still running", never a silent second purge). On PostgreSQL (DATABASE_URL) a real
// child process holds the purge and is killed with SIGKILL; a live instance's purge is never taken over.
import { spawn, type ChildProcess } from "node:child_process";
import { randomUUID } from "node:crypto";

import { and, eq } from "drizzle-orm";
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";

import type { CurrentStaff } from "@/lib/auth/session";
import type { TestDatabase } from "@/test/db";
import { actAs } from "@/test/session-mock";

vi.mock("@/lib/auth/session", async () => (await import("@/test/session-mock")).mockedSessionModule());
vi.mock("@/lib/security/origin", () => ({ isSameOriginRequest: async () => true }));

const { createTestDatabase } = await import("@/test/db");
const { startSandbox } = await import("@/sandbox/server");
const { resetEnvForTests } = await import("@/lib/env");
const { basiq, resetBasiqClientForTests } = await import("@/lib/basiq");
const { useDatabaseForTests } = await import("@/lib/db/client");
const { auditEvents, purgeOperations } = await import("@/lib/db/schema");
const { createStaff } = await import("@/lib/staff/accounts");
const { purgeConnection, recoverInterruptedPurges, unknownPurgeOutcome } = await import("./purge");
const { isInstanceAlive } = await import("@/lib/db/instance");

let t: TestDatabase;
let sandbox: Awaited<ReturnType<typeof startSandbox>>;
let ids: string[];
let admin: CurrentStaff;

const PURGE = "POST /users/{userId}/connections/{connectionId}/purge";
async function purgeCalls(): Promise<number> {
  return ((await (await fetch(`${sandbox.url}/__sandbox/stats`)).json()) as Record<string, number>)[PURGE] ?? 0;
}
const used = new Set<string>();
async function activeConnection(): Promise<{ userId: string; connectionId: string }> {
  for (const userId of ids) {
    const c = (await basiq().listConnections(userId)).find((x) => x.status === "active" && !used.has(x.id));
    if (c) {
      used.add(c.id);
      return { userId, connectionId: c.id };
    }
  }
  throw new Error("no active connection in the sandbox data");
}
const unknownAudits = (connectionId: string) =>
  t.db.select().from(auditEvents).where(and(eq(auditEvents.action, "purge.unknown"), eq(auditEvents.targetConnectionId, connectionId)));

beforeAll(async () => {
  sandbox = await startSandbox({ port: 0, users: 60 });
  process.env.BASIQ_API_URL = sandbox.url;
  delete process.env.BASIQ_API_KEY;
  resetEnvForTests();
  resetBasiqClientForTests();
  t = await createTestDatabase();
  useDatabaseForTests(t.db);
  ids = ((await (await fetch(`${sandbox.url}/__sandbox/users?limit=60`)).json()) as { ids: string[] }).ids;
  const { id } = await createStaff(t.db, { email: "root@corp.example", name: "Root", role: "admin", password: "a long admin password" });
  admin = { id, email: "root@corp.example", name: "Root", role: "admin", signedInAt: Date.now() };
});
afterAll(async () => {
  await t?.close();
  await sandbox?.close();
});
beforeEach(async () => {
  actAs(admin);
  admin.signedInAt = Date.now();
  await fetch(`${sandbox.url}/__sandbox/reset`, { method: "POST" });
});

describe(`an interrupted purge (${process.env.DATABASE_URL ? "PostgreSQL" : "PGlite"})`, () => {
  it("start-up recovery: one purge.unknown audit row, the page says so, and a retry sends nothing to Basiq", async () => {
    const target = await activeConnection();
    // What a process killed mid-purge leaves: its row in progress, under an instance id nobody holds any more.
    const [op] = await t.db
      .insert(purgeOperations)
      .values({ ...target, requestedBy: admin.id, status: "in-progress", instanceId: randomUUID() })
      .returning();

    const recovered = await recoverInterruptedPurges(t.db);
    expect(recovered.map((r) => r.id)).toEqual([op!.id]);
    expect(await recoverInterruptedPurges(t.db)).toEqual([]); // a second start (or instance) finds nothing
    const audits = await unknownAudits(target.connectionId);
    expect(audits).toHaveLength(1);
    expect(audits[0]).toMatchObject({ actorId: admin.id, actorEmail: admin.email, actorRole: "admin", outcome: "unknown", targetUserId: target.userId });
    expect(audits[0]!.details).toMatchObject({ operationId: op!.id, reason: "interrupted" });

    expect(await unknownPurgeOutcome(target.userId, target.connectionId)).toMatchObject({ message: expect.stringMatching(/^Outcome unknown — check the connection/) });

    const started = Date.now();
    const retries = await Promise.all(Array.from({ length: 5 }, () => purgeConnection(admin, target)));
    expect(Date.now() - started).toBeLessThan(5_000);
    for (const r of retries) expect(r).toMatchObject({ status: "unknown", operationId: op!.id, message: expect.stringMatching(/^Outcome unknown — check the connection/) });
    expect(await purgeCalls()).toBe(0);
    expect(await unknownAudits(target.connectionId)).toHaveLength(1);
  });

  it("without a start-up in between: the retry itself records the dead process's purge as unknown, at once", async () => {
    const target = await activeConnection();
    await t.db.insert(purgeOperations).values({ ...target, requestedBy: admin.id, status: "in-progress", instanceId: randomUUID() });
    expect(await unknownPurgeOutcome(target.userId, target.connectionId)).not.toBeNull(); // the page knows before any write
    const started = Date.now();
    const outcome = await purgeConnection(admin, target);
    expect(Date.now() - started).toBeLessThan(5_000);
    expect(outcome.status).toBe("unknown");
    expect(await purgeCalls()).toBe(0);
    expect(await unknownAudits(target.connectionId)).toHaveLength(1);
  });

  it("a purge that ends normally is not touched by recovery", async () => {
    const target = await activeConnection();
    expect((await purgeConnection(admin, target)).status).toBe("succeeded");
    expect(await recoverInterruptedPurges(t.db)).toEqual([]);
    expect(await unknownAudits(target.connectionId)).toHaveLength(0);
    expect(await unknownPurgeOutcome(target.userId, target.connectionId)).toBeNull();
  });
});

describe.runIf(!!process.env.DATABASE_URL)("PostgreSQL: a purging process killed with SIGKILL", () => {
  /** A child process that takes an instance's liveness lock and leaves a purge in progress, then waits. */
  async function purgingChild(target: { userId: string; connectionId: string }, instance: string): Promise<ChildProcess> {
    const script = `
      import postgres from "postgres";
      const sql = postgres(process.env.CHILD_DB_URL, { max: 1, onnotice: () => {} });
      await sql\`select pg_advisory_lock(4812014, hashtext(\${process.env.CHILD_INSTANCE}))\`;
      await sql\`insert into purge_operations (user_id, connection_id, requested_by, status, instance_id)
                 values (\${process.env.CHILD_USER}, \${process.env.CHILD_CONNECTION}, \${process.env.CHILD_ADMIN}, 'in-progress', \${process.env.CHILD_INSTANCE})\`;
      console.log("ready");
      setInterval(() => {}, 1000);`;
    const child = spawn(process.execPath, ["--input-type=module", "-e", script], {
      cwd: process.cwd(),
      env: { ...process.env, CHILD_DB_URL: t.url, CHILD_INSTANCE: instance, CHILD_USER: target.userId, CHILD_CONNECTION: target.connectionId, CHILD_ADMIN: admin.id },
      stdio: ["ignore", "pipe", "inherit"],
    });
    await new Promise<void>((resolve, reject) => {
      child.stdout!.on("data", (d: Buffer) => (String(d).includes("ready") ? resolve() : undefined));
      child.once("exit", (code) => reject(new Error(`child exited early (${code})`)));
    });
    return child;
  }

  it("while it lives its purge is left alone; killed mid-purge, the waiting retry gets 'outcome unknown' within seconds, one audit row, no Basiq call", async () => {
    const target = await activeConnection();
    const instance = randomUUID();
    const child = await purgingChild(target, instance);
    try {
      expect(await isInstanceAlive(t.db, instance)).toBe(true);
      expect(await recoverInterruptedPurges(t.db)).toEqual([]); // a live instance's purge is never taken over
      expect(await unknownPurgeOutcome(target.userId, target.connectionId)).toBeNull();

      const started = Date.now();
      const waiting = purgeConnection(admin, target); // joins the running purge
      await new Promise((r) => setTimeout(r, 700));
      child.kill("SIGKILL");
      const outcome = await waiting;
      expect(outcome.status).toBe("unknown");
      expect(Date.now() - started).toBeLessThan(10_000); // not the 45 s wait of a live purge
      expect(await isInstanceAlive(t.db, instance)).toBe(false);
      expect(await purgeCalls()).toBe(0);
      expect(await unknownAudits(target.connectionId)).toHaveLength(1);
      // Start-up after the crash: nothing left to recover, still one row; a retry still sends nothing.
      expect(await recoverInterruptedPurges(t.db)).toEqual([]);
      expect((await purgeConnection(admin, target)).status).toBe("unknown");
      expect(await purgeCalls()).toBe(0);
      expect(await unknownAudits(target.connectionId)).toHaveLength(1);
    } finally {
      child.kill("SIGKILL");
    }
  });
});
