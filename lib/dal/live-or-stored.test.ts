// The one "live or stored" contract (issue 13) and the page deadline (issue 14 item 10).
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";

import { BasiqApiError, BasiqNetworkError } from "@/lib/basiq/errors";
import { NotFoundError } from "@/lib/errors";
import type { Sandbox } from "@/sandbox/server";
import type { TestDatabase } from "@/test/db";
import { actAs, staffWithRole } from "@/test/session-mock";

import { liveOrStored, type PageDeadline } from "./live-or-stored";

vi.mock("@/lib/auth/session", async () => (await import("@/test/session-mock")).mockedSessionModule());

const deadline = (ms = 5_000): PageDeadline => ({ signal: AbortSignal.timeout(ms), ms });
const stored = async () => ({ data: "stored", storedAt: new Date("2026-01-02T03:04:05Z") });
const notFound = () =>
  new BasiqApiError({ method: "GET", route: "GET /users/{userId}", status: 404, code: "resource-not-found" });

describe("liveOrStored", () => {
  it("live: the live data, written back (awaited outside a request), no problem", async () => {
    const writeBack = vi.fn(async () => {});
    const result = await liveOrStored({
      what: "That user",
      ids: {},
      live: async () => 41,
      fromLive: (n) => `live ${n + 1}`,
      writeBack,
      stored,
      deadline: deadline(),
    });
    expect(result).toEqual({ data: "live 42", source: "live", problem: null, storedAt: null });
    expect(writeBack).toHaveBeenCalledWith(41);
  });

  it("a Basiq failure: the stored copy, the problem and its age", async () => {
    const result = await liveOrStored({
      what: "That user",
      ids: {},
      live: async () => {
        throw new BasiqNetworkError({ method: "GET", route: "GET /users/{userId}" });
      },
      fromLive: () => "live",
      stored,
      deadline: deadline(),
    });
    expect(result).toMatchObject({ data: "stored", source: "stored", storedAt: "2026-01-02T03:04:05.000Z" });
    expect(result.problem).toMatchObject({ kind: "unreachable" });
  });

  it("a refused API key is a stored copy under a key-refused banner, never 'not found'", async () => {
    const refused = new BasiqApiError({
      method: "POST",
      route: "POST /token",
      status: 404,
      code: "resource-not-found",
    });
    const result = await liveOrStored({
      what: "That user",
      ids: {},
      live: async () => Promise.reject(refused),
      fromLive: () => "",
      stored,
      deadline: deadline(),
    });
    expect(result.problem).toMatchObject({
      kind: "key-refused",
      message: expect.stringMatching(/Basiq refused our API key/),
    });
    // With nothing stored, the refusal itself goes to the page (an error page, not a 404).
    await expect(
      liveOrStored({
        what: "That user",
        ids: {},
        live: async () => Promise.reject(refused),
        fromLive: () => "",
        stored: async () => null,
        deadline: deadline(),
      }),
    ).rejects.toBe(refused);
  });

  it("not found at Basiq: NotFoundError, or the stored copy marked 'gone' when we still have one", async () => {
    await expect(
      liveOrStored({
        what: "That user",
        ids: {},
        live: async () => Promise.reject(notFound()),
        fromLive: () => "",
        stored: async () => null,
        deadline: deadline(),
      }),
    ).rejects.toBeInstanceOf(NotFoundError);
    const kept = await liveOrStored({
      what: "That user",
      ids: {},
      live: async () => Promise.reject(notFound()),
      fromLive: () => "",
      stored,
      deadline: deadline(),
    });
    expect(kept).toMatchObject({ source: "stored", problem: { kind: "gone" } });
  });

  it("a bug (not a Basiq error) is not hidden behind the stored copy", async () => {
    const bug = new TypeError("oops");
    await expect(
      liveOrStored({
        what: "That user",
        ids: {},
        live: async () => Promise.reject(bug),
        fromLive: () => "",
        stored,
        deadline: deadline(),
      }),
    ).rejects.toBe(bug);
  });

  it("the deadline: a call still waiting when it passes gives the stored copy, at the deadline", async () => {
    const started = Date.now();
    const result = await liveOrStored({
      what: "That user",
      ids: {},
      live: (signal) =>
        new Promise((_resolve, reject) =>
          signal.addEventListener("abort", () => reject(signal.reason), { once: true }),
        ),
      fromLive: () => "live",
      stored,
      deadline: deadline(300),
    });
    expect(result).toMatchObject({ source: "stored", problem: { kind: "timeout" } });
    expect(Date.now() - started).toBeLessThan(2_000);
  });
});

describe("page deadline against the sandbox (BASIQ_PAGE_DEADLINE_MS)", () => {
  let t: TestDatabase;
  let sandbox: Sandbox;
  let userId: string;

  beforeAll(async () => {
    const { startSandbox } = await import("@/sandbox/server");
    const { createTestDatabase } = await import("@/test/db");
    const { resetEnvForTests } = await import("@/lib/env");
    const { basiq, resetBasiqClientForTests } = await import("@/lib/basiq");
    const { useDatabaseForTests } = await import("@/lib/db/client");
    const { syncDirectoryUser } = await import("@/lib/directory/sync");
    sandbox = await startSandbox({ port: 0, users: 10 });
    process.env.BASIQ_API_URL = sandbox.url;
    process.env.BASIQ_PAGE_DEADLINE_MS = "1500";
    delete process.env.BASIQ_API_KEY;
    delete process.env.SANDBOX_API_KEY;
    resetEnvForTests();
    resetBasiqClientForTests();
    t = await createTestDatabase();
    useDatabaseForTests(t.db);
    userId = ((await (await fetch(`${sandbox.url}/__sandbox/users?limit=1`)).json()) as { ids: string[] })
      .ids[0]!;
    await syncDirectoryUser(t.db, basiq(), userId, "seed");
    actAs(staffWithRole("support"));
  });
  afterAll(async () => {
    delete process.env.BASIQ_PAGE_DEADLINE_MS;
    await t?.close();
    await sandbox?.close();
  });

  it("a hung Basiq (10 s per-attempt timeout, retries) still gives the user page its stored copy within the deadline", async () => {
    const { getUserDetail } = await import("./users");
    await fetch(`${sandbox.url}/__sandbox/faults`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ kind: "hang", route: "GET /users/{userId}" }),
    });
    const started = Date.now();
    const detail = await getUserDetail(userId);
    const took = Date.now() - started;
    expect(detail.source).toBe("stored");
    expect(detail.basiqProblem?.kind).toBe("timeout");
    expect(detail.storedConnections.length + (detail.inDirectory ? 1 : 0)).toBeGreaterThan(0);
    expect(took).toBeGreaterThanOrEqual(1_400);
    expect(took).toBeLessThan(4_000);
    await fetch(`${sandbox.url}/__sandbox/faults`, { method: "DELETE" });
  });
});
