// Issue 15: database statements per page for the overview, the connection page and the job page, as support
// opens them (the role bench/http.bench.ts signs in with), counted on the data-access calls each page, its layout
// and its streamed sections make within one simulated request — the same harness as detail-pages.test.ts (which
// does the user page). Ceilings: overview ≤ 6 whatever the number of connection statuses (23 before on the bench's
// directory: two statements per status), connection page ≤ 5 (7 before), job page ≤ 4 (5 before).
import type React from "react";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";

import type { SessionIdentity } from "@/lib/auth/identity";
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
const { resetEnvForTests } = await import("@/lib/env");
const { basiq, resetBasiqClientForTests } = await import("@/lib/basiq");
const { useDatabaseForTests } = await import("@/lib/db/client");
const { databaseQueryCount } = await import("@/lib/db/query-count");
const { createStaff } = await import("@/lib/staff/accounts");
const sessions = await import("@/lib/auth/server-sessions");
const { getSessionState } = await import("@/lib/auth/session");
const { syncDirectoryUser } = await import("@/lib/directory/sync");
const { getConnectionShell, getConnectionDetail } = await import("./connections");
const { getJobShell, getJobDetail, getJobHistory } = await import("./jobs");
const { getInstitutionNames, getStoredUserName } = await import("./names");
const { getRefreshBudget } = await import("./refresh");
const { isWatched } = await import("./alerts");
const { getLatestFailures } = await import("@/lib/remediation/latest-failure");

let t: TestDatabase;
let sandbox: Awaited<ReturnType<typeof startSandbox>>;
let target: { userId: string; connectionId: string; jobId: string };

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
  // More of the directory, in every connection status (the overview counts users per status).
  const { basiqUsers } = await import("@/lib/db/schema");
  const statuses = ["active", "invalid", "pending", "pre-init", "none-yet"];
  await t.db.insert(basiqUsers).values(
    Array.from({ length: 30 }, (_, i) => ({ id: `seeded-${i}`, source: "test", connectionStatuses: [statuses[i % 5]!, statuses[(i + 1) % 5]!] })),
  );
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


const { guardPage } = await import("@/lib/auth/guard");
const { getOverview } = await import("./overview");
const { getPurgedState } = await import("@/lib/purge/purged-state");

// ------------------------------------------------------------------------------------------------ the pages

/** app/(console)/page.tsx as support sees it (no integration panel): layout, guard, the overview's figures. */
async function openOverview() {
  newRequest();
  const layout = getSessionState();
  await guardPage("overview.read", "/");
  await Promise.all([layout, getOverview()]);
}

/**
 * …/connections/[connectionId]/page.tsx as support sees it: tab title, layout, guard, shell (directory row, bank
 * names, person's name), watch state; then its streamed sections: the live status badge, the latest failure, the
 * live section (connection, names; then refresh budget and purged state: support may not purge) and the history.
 */
async function openConnectionPage(userId: string, connectionId: string) {
  newRequest();
  const title = getStoredUserName(userId);
  const layout = getSessionState();
  await guardPage("connections.read", "/users/x/connections/y");
  const [shell] = await Promise.all([getConnectionShell(userId, connectionId), getInstitutionNames(), getStoredUserName(userId)]);
  await isWatched(shell.userId, shell.id);
  const live = (async () => {
    const [c] = await Promise.all([getConnectionDetail(userId, connectionId), getInstitutionNames(), getStoredUserName(userId)]);
    await Promise.all([getRefreshBudget(c.id, c.method, c.userId), getPurgedState(c.id)]);
  })();
  await Promise.all([
    title,
    layout,
    getConnectionDetail(userId, connectionId), // the live status badge
    getLatestFailures(userId, connectionId),
    live,
    getJobHistory(userId, connectionId),
  ]);
}

/** app/(console)/jobs/[jobId]/page.tsx: layout, guard, shell from the stored row, then the live section. */
async function openJobPage(jobId: string) {
  newRequest();
  const layout = getSessionState();
  await guardPage("jobs.read", "/jobs/x");
  const shell = await getJobShell(jobId);
  await Promise.all([layout, getJobDetail(jobId), getInstitutionNames(), getStoredUserName(shell.userId)]);
}

async function statementsOf(open: () => Promise<void>): Promise<number> {
  const before = databaseQueryCount();
  await open();
  return databaseQueryCount() - before;
}

describe("database statements per page (issue 15), support's view, opened again as the bench does", () => {
  it("the overview: ≤ 6 (caller, directory figures, failed jobs, last sweep, events cursor, connector list)", async () => {
    await openOverview(); // the connector failure figures are kept a minute per process
    expect(await statementsOf(openOverview)).toBeLessThanOrEqual(6);
  });

  it("the overview does not cost more with more connection statuses in the directory", async () => {
    const { basiqUsers } = await import("@/lib/db/schema");
    const before = await statementsOf(openOverview);
    await t.db.insert(basiqUsers).values([
      { id: "seeded-new-1", source: "test", connectionStatuses: ["status-a"] },
      { id: "seeded-new-2", source: "test", connectionStatuses: ["status-b"] },
    ]);
    expect(await statementsOf(openOverview)).toBe(before);
  });

  it("the connection page: ≤ 5", async () => {
    await openConnectionPage(target.userId, target.connectionId);
    expect(await statementsOf(() => openConnectionPage(target.userId, target.connectionId))).toBeLessThanOrEqual(5);
  });

  it("the job page: ≤ 4", async () => {
    await openJobPage(target.jobId);
    expect(await statementsOf(() => openJobPage(target.jobId))).toBeLessThanOrEqual(4);
  });
});
