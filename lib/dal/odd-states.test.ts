// Issue 13 acceptance: the sandbox's odd-states persona has one connection in each of active, pending, invalid,
// init, revoked and deleted, and a newest job with a step title this console does not know. The user page,
// every connection page, the job page, the job history and the directory sync all render them; values the
// console does not know are kept raw and shown marked, never rejected.
import { createElement } from "react";
import { renderToStaticMarkup } from "react-dom/server";
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";

import type { TestDatabase } from "@/test/db";
import { actAs, staffWithRole } from "@/test/session-mock";

vi.mock("@/lib/auth/session", async () => (await import("@/test/session-mock")).mockedSessionModule());

const { createTestDatabase } = await import("@/test/db");
const { startSandbox } = await import("@/sandbox/server");
const { generateDataset, UNKNOWN_STEP_TITLE } = await import("@/sandbox/data");
const { ODD_STATES_LOGIN, PERSONAS } = await import("@/sandbox/personas");
const { resetEnvForTests } = await import("@/lib/env");
const { basiq, resetBasiqClientForTests } = await import("@/lib/basiq");
const { useDatabaseForTests } = await import("@/lib/db/client");
const { basiqUsers } = await import("@/lib/db/schema");
const { syncDirectoryUser } = await import("@/lib/directory/sync");
const { JOB_STEP_TITLE, shown } = await import("@/lib/vocabulary");
const { ConnectionStatusBadge } = await import("@/components/users/status-badge");
const { getUserDetail } = await import("./users");
const { getConnectionDetail } = await import("./connections");
const { getJobDetail, getJobHistory } = await import("./jobs");

const STATES = ["active", "pending", "invalid", "init", "revoked", "deleted"];
const USERS = 40;
const SEED = 1;
const personaIndex = PERSONAS.findIndex((p) => p.loginId === ODD_STATES_LOGIN);
const persona = generateDataset({ users: USERS, seed: SEED }).user(personaIndex);
const oddJob = persona.connections
  .flatMap((c) => c.jobs)
  .find((j) => j.steps.some((s) => s.title === UNKNOWN_STEP_TITLE))!;

let t: TestDatabase;
let sandbox: Awaited<ReturnType<typeof startSandbox>>;

beforeAll(async () => {
  sandbox = await startSandbox({ port: 0, users: USERS, seed: SEED });
  process.env.BASIQ_API_URL = sandbox.url;
  delete process.env.BASIQ_API_KEY;
  delete process.env.SANDBOX_API_KEY;
  resetEnvForTests();
  resetBasiqClientForTests();
  t = await createTestDatabase();
  useDatabaseForTests(t.db);
  actAs(staffWithRole("support"));
});
afterAll(async () => {
  await t?.close();
  await sandbox?.close();
});

describe("a user with a connection in every state Basiq documents", () => {
  it("the sandbox seeds it deterministically", () => {
    expect(personaIndex).toBeGreaterThan(0);
    expect(persona.connections.map((c) => c.status)).toEqual(STATES);
    expect(oddJob).toBeDefined();
  });

  it("directory sync records every connection, raw statuses kept", async () => {
    expect(await syncDirectoryUser(t.db, basiq(), persona.id, "import")).toBe("added");
    const [row] = await t.db.select().from(basiqUsers).where(eq(basiqUsers.id, persona.id));
    expect(row?.connections.map((c) => c.status)).toEqual(STATES);
    expect(row?.worstConnectionStatus).toBe("invalid");
  });

  it("the user page lists all six live, with no problem banner", async () => {
    const detail = await getUserDetail(persona.id);
    expect(detail.basiqProblem).toBeNull();
    expect(detail.connections?.map((c) => c.status)).toEqual(STATES);
  });

  it("every connection page renders live, each status explained", async () => {
    for (const connection of persona.connections) {
      const detail = await getConnectionDetail(persona.id, connection.id);
      expect(detail.basiqProblem, connection.status).toBeNull();
      expect(detail.status).toBe(connection.status);
      expect(detail.statusExplained).not.toMatch(/does not know/);
    }
  });

  it("the job page and the job history keep the unknown step title, shown raw and marked", async () => {
    const job = await getJobDetail(oddJob.id);
    expect(job.basiqProblem).toBeNull();
    expect(job.steps.map((s) => s.title)).toContain(UNKNOWN_STEP_TITLE);
    expect(job.outcome).toBe("success");
    const history = await getJobHistory(persona.id);
    expect(history.basiqProblem).toBeNull();
    expect(history.jobs.map((j) => j.id)).toContain(oddJob.id);
    expect(shown(JOB_STEP_TITLE, UNKNOWN_STEP_TITLE)).toBe("retrieve-meta (not known to this console)");
  });

  it("a status this console does not know is shown raw and marked; known ones plainly", () => {
    expect(renderToStaticMarkup(createElement(ConnectionStatusBadge, { status: "suspended" }))).toContain(
      "suspended (not known to this console)",
    );
    expect(renderToStaticMarkup(createElement(ConnectionStatusBadge, { status: "revoked" }))).toContain(
      ">revoked<",
    );
  });
});
