// Issue 13 acceptance: Basiq refuses our API key (POST /token → 404 "Unable to authenticate. Please, check your
// API key", reproduced by the sandbox for any key it was not started with). Nothing may read that as "the user
// does not exist": the user page renders the stored copy under a banner naming the key, the sweep stops early
// and records why without counting anyone as gone, import and directory sync say the key was refused, and
// /api/health reports "unauthorized".
import { eq, isNotNull } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";

import type { TestDatabase } from "@/test/db";
import { actAs, staffWithRole } from "@/test/session-mock";

vi.mock("@/lib/auth/session", async () => (await import("@/test/session-mock")).mockedSessionModule());

const { createTestDatabase } = await import("@/test/db");
const { startSandbox } = await import("@/sandbox/server");
const { resetEnvForTests } = await import("@/lib/env");
const { basiq, createBasiqClient, resetBasiqClientForTests } = await import("@/lib/basiq");
const { useDatabaseForTests } = await import("@/lib/db/client");
const { basiqUsers, sweepRuns } = await import("@/lib/db/schema");
const { syncDirectoryUser } = await import("@/lib/directory/sync");
const { importUserIds } = await import("@/lib/directory/import");
const { syncAllUsers } = await import("@/lib/directory/sync-all");
const { startSweepEngine, stopQueue, sweepThroughEngine } = await import("@/lib/jobs/testing");
const { getUserDetail } = await import("./users");
const { getOverview } = await import("./overview");
const { GET: health } = await import("@/app/api/health/route");

let t: TestDatabase;
let sandbox: Awaited<ReturnType<typeof startSandbox>>;
let ids: string[];
const DIRECTORY = 20;

beforeAll(async () => {
  sandbox = await startSandbox({ port: 0, users: 40, apiKey: "the-key-basiq-issued" });
  t = await createTestDatabase();
  useDatabaseForTests(t.db);
  ids = ((await (await fetch(`${sandbox.url}/__sandbox/users?limit=40`)).json()) as { ids: string[] }).ids;
  // The directory was filled while the key still worked.
  const working = createBasiqClient({ baseUrl: sandbox.url, apiKey: "the-key-basiq-issued" });
  for (const id of ids.slice(0, DIRECTORY)) await syncDirectoryUser(t.db, working, id, "seed");
  // Then the key was deleted at Basiq: the console's own client now holds a key Basiq refuses.
  process.env.BASIQ_API_URL = sandbox.url;
  process.env.SANDBOX_API_KEY = "a-deleted-key";
  delete process.env.BASIQ_API_KEY;
  resetEnvForTests();
  resetBasiqClientForTests();
  actAs(staffWithRole("support"));
});
afterAll(async () => {
  delete process.env.SANDBOX_API_KEY;
  resetEnvForTests();
  resetBasiqClientForTests();
  await t?.close();
  await sandbox?.close();
});

describe("Basiq refuses our API key (POST /token → 404)", () => {
  it("the sandbox answers a wrong key the way Basiq does", async () => {
    const reply = await fetch(`${sandbox.url}/token`, {
      method: "POST",
      headers: {
        authorization: "Basic a-deleted-key",
        "basiq-version": "3.0",
        "content-type": "application/x-www-form-urlencoded",
      },
      body: "scope=SERVER_ACCESS",
    });
    expect(reply.status).toBe(404);
    expect(((await reply.json()) as { data: { detail: string }[] }).data[0]?.detail).toBe(
      "Unable to authenticate. Please, check your API key",
    );
  });

  it("a user page renders the stored copy under a banner naming the API key, not a 404", async () => {
    const detail = await getUserDetail(ids[0]!);
    expect(detail.inDirectory).toBe(true);
    expect(detail.connections).toBeNull();
    expect(detail.storedConnections.length).toBeGreaterThan(0);
    expect(detail.basiqProblem?.message).toMatch(/Basiq refused our API key/);
    expect(detail.basiqProblem?.message).not.toMatch(/not found/i);
  });

  it("a sweep stops at once, counts nobody as gone, marks no user deleted and records why", async () => {
    await startSweepEngine({ db: t.db, url: t.url, client: basiq() });
    const ended = await sweepThroughEngine(t.db).finally(() => stopQueue(2_000));
    expect(ended.status).toBe("failed");
    const [run] = await t.db.select().from(sweepRuns).orderBy(sweepRuns.id).limit(1);
    expect(run?.status).toBe("failed");
    expect(run?.message).toMatch(/Basiq refused our API key/);
    expect(run?.message).not.toMatch(/no longer exist/);
    // Stopped within its outage threshold: far fewer users tried than the directory holds.
    expect(run?.usersChecked ?? 0).toBeLessThanOrEqual(16);
    expect(await t.db.$count(basiqUsers, isNotNull(basiqUsers.deletedAt))).toBe(0);
  });

  it("import of a known id says 'Basiq refused our API key', not 'not found'", async () => {
    const known = ids[DIRECTORY + 1]!; // exists at Basiq, not yet in the directory
    const rows = await importUserIds(t.db, basiq(), `${known}\n${ids[DIRECTORY + 2]!}`);
    expect(rows.map((r) => r.verdict)).toEqual(["failed", "failed"]);
    for (const row of rows) {
      expect(row.reason).toMatch(/Basiq refused our API key/);
      expect(row.reason).not.toMatch(/no user|not found/i);
    }
    const [stored] = await t.db.select().from(basiqUsers).where(eq(basiqUsers.id, known));
    expect(stored).toBeUndefined();
  });

  it("a directory sync stops at the first refusal and says why", async () => {
    const progress = await syncAllUsers(t.db, basiq());
    expect(progress.notFound).toBe(0);
    expect(progress.stopped).toMatch(/Basiq refused our API key/);
    expect(progress.checked).toBeLessThanOrEqual(8); // the workers in flight when the first refusal came back
  });

  it("/api/health reports basiq: unauthorized, and the overview flags it", async () => {
    const reply = await health();
    expect(await reply.json()).toMatchObject({ status: "degraded", db: "ok", basiq: "unauthorized" });
    expect((await getOverview()).basiqKeyRefused).toBe(true);
  });
});
