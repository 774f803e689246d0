// One Basiq call per purge however many submissions arrive at once — the per-connection lock in lib/dal/purge.ts.
// Only real PostgreSQL can prove it: its transactions run side by side on separate connections. With DATABASE_URL
// (CI) the ten purges go through two separate postgres.js pools on one database, as two console instances would.
// In-memory PGlite has one connection and runs transactions one at a time, so there the same scenario only checks
// the sequential semantics (a second submission joins the first one's outcome) and says so in its name.
import { and, eq, sql } from "drizzle-orm";
import { afterAll, beforeAll, beforeEach, expect, it, vi } from "vitest";

import type { CurrentStaff } from "@/lib/auth/session";
import type * as DbModule from "@/lib/db";
import type { Database } from "@/lib/db/client";
import type { TestDatabase } from "@/test/db";
import { actAs } from "@/test/session-mock";

// Which "instance" (database pool) the code under test gets from getDb(): set per call with instance.run().
const { instance } = await vi.hoisted(async () => {
  const { AsyncLocalStorage } = await import("node:async_hooks");
  return { instance: new AsyncLocalStorage<unknown>() };
});

vi.mock("@/lib/auth/session", async () => (await import("@/test/session-mock")).mockedSessionModule());
vi.mock("@/lib/security/origin", () => ({ isSameOriginRequest: async () => true }));
vi.mock("@/lib/db", async (importOriginal) => {
  const real = await importOriginal<typeof DbModule>();
  return { ...real, getDb: async () => (instance.getStore() as Database | undefined) ?? real.getDb() };
});

const { createTestDatabase } = await import("@/test/db");
const { startSandbox } = await import("@/sandbox/server");
const { resetEnvForTests } = await import("@/lib/env");
const { basiq, resetBasiqClientForTests } = await import("@/lib/basiq");
const { openDatabase, useDatabaseForTests, rowsOf } = await import("@/lib/db/client");
const { auditEvents, purgeOperations } = await import("@/lib/db/schema");
const { createStaff } = await import("@/lib/staff/accounts");
const { purgeConnection } = await import("./purge");

const PURGE = "POST /users/{userId}/connections/{connectionId}/purge";
const onPostgres = !!process.env.DATABASE_URL;

let t: TestDatabase;
let second: { db: Database; close(): Promise<void> } | null = null;
let sandbox: Awaited<ReturnType<typeof startSandbox>>;
let ids: string[];
let admin: CurrentStaff;

async function purgeCalls(): Promise<number> {
  const stats = (await (await fetch(`${sandbox.url}/__sandbox/stats`)).json()) as Record<string, number>;
  return stats[PURGE] ?? 0;
}

async function activeConnection(): Promise<{ userId: string; connectionId: string }> {
  for (const userId of ids) {
    const c = (await basiq().listConnections(userId)).find((x) => x.status === "active");
    if (c) return { userId, connectionId: c.id };
  }
  throw new Error("no active connection in the sandbox data");
}

async function audited(action: string, connectionId: string): Promise<number> {
  return t.db.$count(auditEvents, and(eq(auditEvents.action, action), eq(auditEvents.targetConnectionId, connectionId)));
}

beforeAll(async () => {
  sandbox = await startSandbox({ port: 0, users: 20 });
  process.env.BASIQ_API_URL = sandbox.url;
  delete process.env.BASIQ_API_KEY;
  resetEnvForTests();
  resetBasiqClientForTests();
  t = await createTestDatabase();
  useDatabaseForTests(t.db);
  if (t.kind === "postgres") second = await openDatabase({ databaseUrl: t.url });
  ids = ((await (await fetch(`${sandbox.url}/__sandbox/users?limit=20`)).json()) as { ids: string[] }).ids;
  const { id } = await createStaff(t.db, { email: "root@corp.example", name: "Root", role: "admin", password: "a long admin password" });
  admin = { id, email: "root@corp.example", name: "Root", role: "admin", signedInAt: Date.now() };
});
afterAll(async () => {
  await second?.close();
  await t?.close();
  await sandbox?.close();
});
beforeEach(async () => {
  actAs(admin);
  await fetch(`${sandbox.url}/__sandbox/reset`, { method: "POST" });
});

/** Ten purges of one connection submitted at once, alternating between the given pools; all outcomes. */
async function tenAtOnce(pools: Database[], target: { userId: string; connectionId: string }) {
  return Promise.all(
    Array.from({ length: 10 }, (_, i) => instance.run(pools[i % pools.length], () => purgeConnection(admin, target))),
  );
}

if (onPostgres) {
  it("PostgreSQL, two connection pools (two console instances): ten concurrent purges of one connection make one Basiq call", async () => {
    expect(t.kind).toBe("postgres");
    const pools = [t.db, second!.db];
    // Two pools really are two sets of server sessions on the same database.
    const [pidA, pidB] = await Promise.all(pools.map(async (db) => rowsOf<{ pid: number }>(await db.execute(sql`select pg_backend_pid() as pid`))[0]!.pid));
    expect(pidA).not.toBe(pidB);
    const [{ version }] = rowsOf<{ version: string }>(await t.db.execute(sql`select version()`)) as [{ version: string }];
    const proof = `proved on ${version.split(" ").slice(0, 2).join(" ")} with two pools`;

    for (let round = 0; round < 3; round++) {
      await fetch(`${sandbox.url}/__sandbox/reset`, { method: "POST" });
      await t.db.delete(purgeOperations);
      const target = await activeConnection();
      const outcomes = await tenAtOnce(pools, target);
      expect(await purgeCalls(), `Basiq purge calls (${proof}, round ${round + 1})`).toBe(1);
      expect(new Set(outcomes.map((o) => JSON.stringify(o))).size, proof).toBe(1);
      expect(outcomes[0]!.status).toBe("succeeded");
      expect(await t.db.$count(purgeOperations, eq(purgeOperations.connectionId, target.connectionId)), proof).toBe(1);
    }
  });
} else {
  it("PGlite (one connection, transactions one at a time — sequential semantics only; the lock is proved on PostgreSQL with DATABASE_URL): ten purges submitted together make one Basiq call and get one outcome", async () => {
    expect(t.kind).toBe("pglite");
    const target = await activeConnection();
    const outcomes = await tenAtOnce([t.db], target);
    expect(await purgeCalls(), "sequential semantics on PGlite, not the lock").toBe(1);
    expect(new Set(outcomes.map((o) => JSON.stringify(o))).size).toBe(1);
    expect(outcomes[0]!.status).toBe("succeeded");
    expect(await audited("purge.requested", target.connectionId)).toBe(1);
    expect(await audited("purge.succeeded", target.connectionId)).toBe(1);
  });
}
