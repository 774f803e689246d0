// What knowing the caller costs the database: one statement per request (session, staff row and second-factor
// enrolment together), plus the once-a-minute touch of last_seen_at. Issue 15: the user page cost 11 statements,
// three of them this check.
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";

import type { SessionIdentity } from "@/lib/auth/identity";
import type { TestDatabase } from "@/test/db";

let identity: SessionIdentity | null = null;
vi.mock("@/lib/auth/identity", () => ({ getSessionIdentity: async () => identity }));

const { createTestDatabase } = await import("@/test/db");
const { useDatabaseForTests } = await import("@/lib/db/client");
const { databaseQueryCount } = await import("@/lib/db/query-count");
const { createStaff } = await import("@/lib/staff/accounts");
const sessions = await import("./server-sessions");
const { getSessionState } = await import("./session");

let t: TestDatabase;
let clock = new Date("2026-11-24T09:00:00Z");
const meta = { ip: "198.51.100.7", userAgent: "vitest" };

beforeAll(async () => {
  t = await createTestDatabase();
  useDatabaseForTests(t.db);
  sessions.useSessionClockForTests(() => clock);
});
afterAll(async () => {
  await t?.close();
});

async function statementsOf(work: () => Promise<unknown>): Promise<number> {
  const before = databaseQueryCount();
  await work();
  return databaseQueryCount() - before;
}

describe("getSessionState's database cost", () => {
  it("one statement for a valid session (staff row and enrolment included), two when last_seen_at is due", async () => {
    const { id } = await createStaff(t.db, {
      email: "support@corp.example",
      name: "Support",
      role: "support",
      password: "a good long password",
    });
    identity = { staffId: id, sessionId: await sessions.createSession(id, meta, clock) };
    expect(await statementsOf(async () => expect(await getSessionState()).toMatchObject({ status: "complete" }))).toBe(1);
    clock = new Date(clock.getTime() + sessions.SESSION_TOUCH_INTERVAL_MS);
    expect(await statementsOf(() => getSessionState())).toBe(2); // the select, then the touch
    expect(await statementsOf(() => getSessionState())).toBe(1);
  });

  it("an unknown session costs one statement and is anonymous", async () => {
    identity = { staffId: "00000000-0000-4000-8000-000000000000", sessionId: "x".repeat(43) };
    expect(await statementsOf(async () => expect(await getSessionState()).toEqual({ status: "anonymous" }))).toBe(1);
  });
});
