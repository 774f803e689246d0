// Issue 15: what opening a detail page costs — Basiq round trips in a row (one: every call starts at once) and
// database statements (≤ 5 for the user page) — measured on the data-access calls each page and its streamed
// sections make, in the order they make them, within one simulated request.
//
// React's cache() memoises per request only inside a React server render; here a stand-in gives every simulated
// request its own memo (newRequest()), which is what cache() does for a page. The session is the real one
// (lib/auth/session.ts against the database), so knowing the caller is counted too.
import type React from "react";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";

import type { SessionIdentity } from "@/lib/auth/identity";
import type { RequestLogEntry } from "@/sandbox/control";
import type { TestDatabase } from "@/test/db";

const memo = vi.hoisted(() => ({ current: new Map<unknown, Map<string, unknown>>() }));
vi.mock("react", async (importOriginal) => {
  const actual = await importOriginal<typeof React>();
  const cache = <A extends unknown[], R>(fn: (...args: A) => R) => {
    const cached = (...args: A): R => {
      let calls = memo.current.get(cached);
      if (!calls) memo.current.set(cached, (calls = new Map()));
      const key = JSON.stringify(args);
      if (!calls.has(key)) calls.set(key, fn(...args));
      return calls.get(key) as R;
    };
    return cached;
  };
  return { ...actual, cache, default: { ...actual, cache } };
});
/** A new request: nothing cached from the previous one (as React does per request). */
const newRequest = () => {
  memo.current = new Map();
};

let identity: SessionIdentity | null = null;
vi.mock("@/lib/auth/identity", () => ({ getSessionIdentity: async () => identity }));

const { createTestDatabase } = await import("@/test/db");
const { startSandbox } = await import("@/sandbox/server");
const { sequentialRoundTrips } = await import("@/sandbox/round-trips");
const { resetEnvForTests } = await import("@/lib/env");
const { basiq, resetBasiqClientForTests } = await import("@/lib/basiq");
const { useDatabaseForTests } = await import("@/lib/db/client");
const { databaseQueryCount } = await import("@/lib/db/query-count");
const { createStaff } = await import("@/lib/staff/accounts");
const sessions = await import("@/lib/auth/server-sessions");
const { getSessionState } = await import("@/lib/auth/session");
const { syncDirectoryUser } = await import("@/lib/directory/sync");
const { getUserShell, getUserDetail } = await import("./users");
const { getConnectionShell, getConnectionDetail } = await import("./connections");
const { getJobShell, getJobDetail, getJobHistory, forgetStoredHistoriesForTests } = await import("./jobs");
const { getInstitutionNames, getStoredUserName } = await import("./names");
const { getRefreshBudget } = await import("./refresh");
const { unknownPurgeOutcome } = await import("./purge");
const { isWatched } = await import("./alerts");
const { forgetConsentPageWritesForTests, getUserConsents } = await import("@/lib/consents/dal");
const { getLatestFailures } = await import("@/lib/remediation/latest-failure");

let t: TestDatabase;
let sandbox: Awaited<ReturnType<typeof startSandbox>>;
let target: { userId: string; connectionId: string; jobId: string };
const LATENCY_MS = 300;

async function sandboxControl(method: string, path: string, body?: unknown): Promise<unknown> {
  const r = await fetch(`${sandbox.url}/__sandbox/${path}`, {
    method,
    headers: body ? { "content-type": "application/json" } : {},
    body: body ? JSON.stringify(body) : undefined,
  });
  return r.json();
}

beforeAll(async () => {
  sandbox = await startSandbox({ port: 0, users: 40 });
  process.env.BASIQ_API_URL = sandbox.url;
  delete process.env.BASIQ_API_KEY;
  resetEnvForTests();
  resetBasiqClientForTests();
  t = await createTestDatabase();
  useDatabaseForTests(t.db);
  // A support member (jobs, refresh budget) with a real session row.
  const { id } = await createStaff(t.db, { email: "support@corp.example", name: "Support", role: "support", password: "a good long password" });
  identity = { staffId: id, sessionId: await sessions.createSession(id, { ip: "198.51.100.7", userAgent: "vitest" }) };
  // A user with a connection and a job, in the directory as a sync leaves it.
  const { ids } = (await sandboxControl("GET", "users?limit=40")) as { ids: string[] };
  for (const userId of ids) {
    const { jobs } = await basiq().listUserJobs(userId, { userId });
    const withConnection = jobs.find((j) => j.links?.source?.includes("/connections/"));
    const connectionId = withConnection?.links?.source?.match(/\/connections\/([^/?#]+)/)?.[1];
    if (withConnection && connectionId) {
      target = { userId, connectionId, jobId: withConnection.id };
      break;
    }
  }
  if (!target) throw new Error("no sandbox user with a connection job among the first 40");
  await syncDirectoryUser(t.db, basiq(), target.userId, "seed");
  // The job is stored as a sweep would have left it (the job page's shell reads it).
  newRequest();
  await getJobHistory(target.userId);
  await getConnectorWarm();
});
afterAll(async () => {
  await t?.close();
  await sandbox?.close();
});

/** The stored connector list, as the server keeps it fresh in the background (not a page's round trip). */
async function getConnectorWarm() {
  newRequest();
  await getConnectionDetail(target.userId, target.connectionId);
}

// ------------------------------------------------------------------------------------------------ the pages

/** app/(console)/users/[userId]/page.tsx: layout, tab title, page (shell), then its two streamed sections. */
/** app/(console)/users/[userId]/page.tsx as support sees it: shell and watch state, then every streamed section. */
async function openUserPage(userId: string) {
  newRequest();
  const layout = getSessionState();
  const title = getStoredUserName(userId);
  await Promise.all([getUserShell(userId), isWatched(userId)]);
  await Promise.all([
    layout,
    title,
    Promise.all([getUserDetail(userId), getInstitutionNames()]), // connections section
    Promise.all([getLatestFailures(userId), getInstitutionNames()]), // latest failures
    getUserConsents(userId), // consents section
    getJobHistory(userId), // job history
  ]);
}

/** …/connections/[connectionId]/page.tsx: shell, names; the live section (detail, then budget + purge); history. */
async function openConnectionPage(userId: string, connectionId: string) {
  newRequest();
  const layout = getSessionState();
  await Promise.all([getConnectionShell(userId, connectionId), getInstitutionNames(), getStoredUserName(userId)]);
  const live = (async () => {
    const c = await getConnectionDetail(userId, connectionId);
    await getRefreshBudget(c.id, c.method, c.userId);
    await unknownPurgeOutcome(c.userId, c.id).catch(() => null); // support: not allowed, as the page skips it
  })();
  await Promise.all([layout, live, getJobHistory(userId, connectionId)]);
}

/** app/(console)/jobs/[jobId]/page.tsx: shell from the stored row, then the live job. */
async function openJobPage(jobId: string) {
  newRequest();
  const layout = getSessionState();
  const shell = await getJobShell(jobId);
  await Promise.all([layout, getJobDetail(jobId), getInstitutionNames(), getStoredUserName(shell.userId)]);
}

async function basiqRequestsDuring(open: () => Promise<void>): Promise<RequestLogEntry[]> {
  const since = Date.now();
  await open();
  const log = (await sandboxControl("GET", "requests/log")) as RequestLogEntry[];
  return log.filter((e) => e.start >= since);
}

describe(`Basiq round trips in a row per detail page (sandbox at ${LATENCY_MS} ms per answer)`, () => {
  beforeAll(async () => {
    await sandboxControl("POST", "faults", { kind: "latency", route: "*", ms: LATENCY_MS });
  });
  afterAll(async () => {
    await sandboxControl("DELETE", "faults");
  });

  it("the user page: user, connections, consents and job history all start at once (one round trip)", async () => {
    const calls = await basiqRequestsDuring(() => openUserPage(target.userId));
    expect(calls.map((c) => c.request).sort()).toEqual(
      [
        `GET /users/${target.userId}`,
        `GET /users/${target.userId}/connections`,
        `GET /users/${target.userId}/consents`,
        `GET /users/${target.userId}/jobs`,
      ].sort(),
    );
    expect(sequentialRoundTrips(calls)).toBe(1);
  });

  it("the connection page: the connection and its job history at once; the refresh budget reads the same history", async () => {
    const calls = await basiqRequestsDuring(() => openConnectionPage(target.userId, target.connectionId));
    expect(calls.map((c) => c.request).sort()).toEqual(
      [`GET /users/${target.userId}/connections/${target.connectionId}`, `GET /users/${target.userId}/jobs`].sort(),
    );
    expect(sequentialRoundTrips(calls)).toBe(1);
  });

  it("the job page: the job, with its connector looked up from the stored copy meanwhile (one round trip)", async () => {
    const calls = await basiqRequestsDuring(() => openJobPage(target.jobId));
    expect(calls.map((c) => c.request)).toEqual([`GET /jobs/${target.jobId}`]);
    expect(sequentialRoundTrips(calls)).toBe(1);
  });

  it("the counting itself: two calls one after the other are two round trips", async () => {
    const calls = await basiqRequestsDuring(async () => {
      await basiq().getUser(target.userId, { userId: target.userId });
      await basiq().listConnections(target.userId, { userId: target.userId });
    });
    expect(sequentialRoundTrips(calls)).toBe(2);
  });
});

describe("database statements per user page (issue 15 target: ≤ 5 per view in the benchmark)", () => {
  async function statementsOf(open: () => Promise<void>): Promise<number> {
    const before = databaseQueryCount();
    await open();
    return databaseQueryCount() - before;
  }

  it("≤ 6 on a first view (job history and consents stored once), 3 when it is opened again (session, directory row with the watch state, latest failures)", async () => {
    forgetStoredHistoriesForTests();
    forgetConsentPageWritesForTests();
    const first = await statementsOf(() => openUserPage(target.userId));
    expect(first).toBeLessThanOrEqual(6);
    const again = await statementsOf(() => openUserPage(target.userId));
    expect(again).toBe(3);
  });

  it("the job page: nothing written back when the job is unchanged and was stored recently (≤ 5 statements)", async () => {
    await openJobPage(target.jobId); // stores it fresh
    const again = await statementsOf(() => openJobPage(target.jobId));
    expect(again).toBeLessThanOrEqual(5);
  });

  it("a change at Basiq is still written back: the directory row is rewritten when the answer differs", async () => {
    const { basiqUsers } = await import("@/lib/db/schema");
    const { eq } = await import("drizzle-orm");
    // The directory's copy says the user has no connections; Basiq says otherwise.
    await t.db.update(basiqUsers).set({ connections: [], connectionCount: 0 }).where(eq(basiqUsers.id, target.userId));
    await openUserPage(target.userId);
    const [row] = await t.db.select().from(basiqUsers).where(eq(basiqUsers.id, target.userId));
    expect(row!.connections.map((c) => c.id)).toContain(target.connectionId);
  });
});
