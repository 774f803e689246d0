// The partner API (issue 17 §3) against the in-process sandbox and a real database (PGlite, or PostgreSQL with
// DATABASE_URL): a failing persona's check answers with its remediation sentence; no key → 401, a revoked key →
// 401, a staff session cookie → 403, over 10 requests a second → 429; every call with a key is audited under its
// name; the key appears in no log line (the app's logger captured at debug level).
import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";

import { createBasiqClient, type BasiqClient } from "@/lib/basiq/client";
import { remediationCatalogue } from "@/lib/basiq/job-codes";
import { rowsOf, useDatabaseForTests } from "@/lib/db/client";
import { generateDataset } from "@/sandbox/data";
import { JOB_FAILURES } from "@/sandbox/failures";
import { startSandbox, type Sandbox } from "@/sandbox/server";
import { createTestDatabase, type TestDatabase } from "@/test/db";
import { actAs, staffWithRole } from "@/test/session-mock";

import type * as HandlerModule from "./handler";
import type * as KeysModule from "./keys";
import type * as LogModule from "@/lib/log";

const logLines = vi.hoisted(() => [] as string[]);
vi.mock("@/lib/log", async (importOriginal) => {
  const original = await importOriginal<typeof LogModule>();
  const logger = original.createLogger({ write: (line: string) => void logLines.push(line) });
  logger.level = "debug";
  return { ...original, log: logger };
});
vi.mock("@/lib/auth/session", async () => (await import("@/test/session-mock")).mockedSessionModule());
vi.mock("next/headers", () => ({
  headers: async () => new Headers({ host: "console.test", "user-agent": "vitest" }),
  cookies: async () => ({ get: () => undefined, getAll: () => [], has: () => false }),
}));

const USERS = 40;
const dataset = generateDataset({ users: USERS, seed: 1 });
/** Failing personas follow the five Basiq ones, one per failure code (sandbox/plans.ts). */
const personaOf = (code: string) => {
  const index = JOB_FAILURES.findIndex((f) => f.code === code);
  return { userId: dataset.user(5 + index).id, failure: JOB_FAILURES[index]! };
};

let sandbox: Sandbox;
let testDb: TestDatabase;
let client: BasiqClient;
let handleUserCheck: typeof HandlerModule.handleUserCheck;
let keys: typeof KeysModule;

const call = (userId: string, headers: Record<string, string> = {}) =>
  handleUserCheck(new Request(`http://console.test/api/v1/users/${userId}/check`, { method: "POST", headers }), userId, { db: testDb.db, client });
const bearer = (key: string) => ({ authorization: `Bearer ${key}` });

beforeAll(async () => {
  [sandbox, testDb] = await Promise.all([startSandbox({ port: 0, users: USERS, seed: 1 }), createTestDatabase()]);
  useDatabaseForTests(testDb.db);
  client = createBasiqClient({ baseUrl: sandbox.url, apiKey: "sandbox-key" });
  ({ handleUserCheck } = await import("./handler"));
  keys = await import("./keys");
  actAs(staffWithRole("admin"));
}, 60_000);

afterAll(async () => {
  await Promise.all([sandbox?.close(), testDb?.close()]);
});

describe("POST /api/v1/users/{userId}/check", () => {
  it("answers a failing persona with its remediation sentence and action, stores the jobs, audits under the key's name", async () => {
    const { key, apiKey } = await keys.createApiKey("Partner app test");
    const { userId, failure } = personaOf("maintenance");
    const res = await call(userId, bearer(key));
    expect(res.status).toBe(200);
    const body = (await res.json()) as { userId: string; connections: { failing: { code: string; step: string } | null; userMessage: string; action: string; lastSuccess: string | null; status: string }[] };
    expect(body.userId).toBe(userId);
    const failing = body.connections.find((c) => c.failing);
    expect(failing).toMatchObject({
      status: "failed",
      failing: { code: "maintenance", step: failure.step },
      userMessage: remediationCatalogue.maintenance.tellTheUser,
      action: "wait",
    });
    expect(failing!.lastSuccess).not.toBeNull();

    const stored = rowsOf<{ n: number }>(await testDb.db.execute(sql`select count(*)::int as n from job_runs where user_id = ${userId} and error_code = 'maintenance'`));
    expect(stored[0]!.n).toBeGreaterThan(0);
    const audits = rowsOf<{ outcome: string; details: { keyName: string; keyId: string } }>(
      await testDb.db.execute(sql`select outcome, details from audit_events where action = 'api.user_check' and target_user_id = ${userId}`),
    );
    expect(audits).toEqual([{ outcome: "success", details: expect.objectContaining({ keyName: "Partner app test", keyId: apiKey.id }) }]);
    const [row] = (await keys.listApiKeys()).filter((k) => k.id === apiKey.id);
    expect(row!.lastUsedAt).not.toBeNull();
  });

  it("tells a user whose credentials were rejected to reconnect", async () => {
    const { key } = await keys.createApiKey("Partner app reconnect");
    const { userId } = personaOf("invalid-credentials");
    const body = (await (await call(userId, bearer(key))).json()) as { connections: { action: string; userMessage: string; failing: unknown }[] };
    const failing = body.connections.find((c) => c.failing)!;
    expect(failing.action).toBe("reconnect");
    expect(failing.userMessage).toBe(remediationCatalogue["invalid-credentials"].tellTheUser);
  });

  it("401 without a key or with an unknown one; 401 once the key is revoked", async () => {
    const userId = dataset.user(0).id;
    expect((await call(userId)).status).toBe(401);
    expect((await call(userId, bearer("bqk_" + "A".repeat(43)))).status).toBe(401);
    expect((await call(userId, { authorization: "Basic abc" })).status).toBe(401);
    const { key, apiKey } = await keys.createApiKey("Soon revoked");
    expect((await call(userId, bearer(key))).status).toBe(200);
    await keys.revokeApiKey(apiKey.id);
    const res = await call(userId, bearer(key));
    expect(res.status).toBe(401);
    expect(((await res.json()) as { error: string }).error).toBe("api-key-invalid");
  });

  it("403 for a staff session cookie, even with a valid key", async () => {
    const { key } = await keys.createApiKey("With cookie");
    const userId = dataset.user(0).id;
    expect((await call(userId, { cookie: "authjs.session-token=abc" })).status).toBe(403);
    expect((await call(userId, { cookie: "theme=dark; __Secure-authjs.session-token.0=abc", ...bearer(key) })).status).toBe(403);
  });

  it("429 over 10 requests a second per key, with Retry-After; another key is unaffected", async () => {
    const { key } = await keys.createApiKey("Busy key");
    const { key: other } = await keys.createApiKey("Quiet key");
    // A malformed user id is answered after the rate check without calling Basiq: 25 answers within well under a
    // second span at most two one-second windows, so one of them holds at least 13.
    const statuses = await Promise.all(Array.from({ length: 25 }, () => call("not a user id!", bearer(key)).then((r) => r.status)));
    expect(statuses.filter((s) => s === 429).length).toBeGreaterThan(0);
    expect(statuses.filter((s) => s === 400).length).toBeGreaterThanOrEqual(10);
    const limited = await call("not a user id!", bearer(key));
    if (limited.status === 429) expect(Number(limited.headers.get("retry-after"))).toBeGreaterThanOrEqual(1);
    expect((await call("not a user id!", bearer(other))).status).toBe(400);
  });

  it("never writes the key to a log line; the store holds only its hash", async () => {
    const { key } = await keys.createApiKey("Secret check");
    await call(dataset.user(6).id, bearer(key));
    await call("bad id!", bearer(key));
    await call(dataset.user(6).id, { ...bearer(key), cookie: "authjs.session-token=x" });
    expect(logLines.length).toBeGreaterThan(0); // the capture works: audit lines are there
    expect(logLines.join("\n")).not.toContain(key);
    expect(logLines.join("\n")).not.toContain(key.slice(4, 20));
    const rows = rowsOf<{ row: string }>(await testDb.db.execute(sql`select row_to_json(k)::text as row from api_keys k`));
    expect(rows.map((r) => r.row).join("\n")).not.toContain(key.slice(4));
  });
});
