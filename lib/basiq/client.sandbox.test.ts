import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";

import { type Sandbox, startSandbox } from "@/sandbox/server";

import { type BasiqClient, type BasiqClientOptions, createBasiqClient } from "./client";
import {
  BasiqApiError,
  BasiqError,
  BasiqOutcomeUnknownError,
  BasiqSchemaError,
  BasiqTimeoutError,
} from "./errors";
import { captureLogs } from "./testing";

// The Basiq client against the real local sandbox (sandbox/server.ts) over HTTP: the acceptance checks of
// SECURITY.md REL-1..REL-6, plus a wire-compatibility pass over every method.

let sandbox: Sandbox;

beforeAll(async () => {
  sandbox = await startSandbox({ port: 0 });
});

afterAll(async () => {
  await sandbox?.close();
});

beforeEach(async () => {
  await control("POST", "/__sandbox/reset");
});

async function control<T = unknown>(method: "GET" | "POST", path: string, body?: unknown): Promise<T> {
  const response = await fetch(`${sandbox.url}${path}`, {
    method,
    headers: body === undefined ? {} : { "content-type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  if (!response.ok)
    throw new Error(`sandbox control ${method} ${path}: ${response.status} ${await response.text()}`);
  return (await response.json()) as T;
}

const stats = () => control<Record<string, number>>("GET", "/__sandbox/stats");
const metrics = () =>
  control<{ inFlight: number; maxInFlight: number; tokensIssued: number; activeTokens: number }>(
    "GET",
    "/__sandbox/metrics",
  );
const fault = (spec: Record<string, unknown>) => control("POST", "/__sandbox/faults", spec);
const userIds = async (limit = 10) =>
  (await control<{ ids: string[] }>("GET", `/__sandbox/users?limit=${limit}`)).ids;

function client(options: Partial<BasiqClientOptions> = {}): BasiqClient {
  return createBasiqClient({
    baseUrl: sandbox.url,
    apiKey: "sandbox-key",
    logger: captureLogs().logger,
    ...options,
  });
}

async function caught(promise: Promise<unknown>): Promise<BasiqError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof BasiqError) return error;
    throw error;
  }
  throw new Error("expected the call to fail");
}

describe("wire compatibility with the sandbox", () => {
  it("parses every read the console makes", async () => {
    const basiq = client();
    const ids = await userIds(20);
    const connectors = await basiq.listConnectors();
    expect(connectors.length).toBeGreaterThan(0);
    const first = connectors[0]!;
    await expect(basiq.getConnector(first.id, first.method)).resolves.toMatchObject({ id: first.id });

    let sawConnection = false;
    let sawJob = false;
    for (const userId of ids) {
      const user = await basiq.getUser(userId);
      expect(user.id).toBe(userId);
      const connections = await basiq.listConnections(userId);
      for (const summary of connections) {
        sawConnection = true;
        await expect(basiq.getConnection(userId, summary.id)).resolves.toMatchObject({ id: summary.id });
        const { jobs } = await basiq.listUserJobs(userId, { connectionId: summary.id });
        for (const job of jobs.slice(0, 3)) {
          sawJob = true;
          await expect(basiq.getJob(job.id)).resolves.toMatchObject({ id: job.id });
        }
      }
      await basiq.listUserJobs(userId);
    }
    expect(sawConnection && sawJob).toBe(true);

    let page = await basiq.listEvents();
    let pages = 1;
    while (page.next && pages < 5) {
      page = await basiq.listEvents({ next: page.next });
      pages++;
    }
    expect(pages).toBeGreaterThanOrEqual(1);
  });

  it("refreshes, purges and deletes a connection", async () => {
    const basiq = client();
    for (const userId of await userIds(50)) {
      const active = (await basiq.listConnections(userId)).find((c) => c.status === "active");
      if (!active) continue;
      const started = await basiq.refreshConnection(userId, active.id);
      await expect(basiq.getJob(started.jobId)).resolves.toMatchObject({ id: started.jobId });
      await expect(basiq.purgeConnection(userId, active.id)).resolves.toBeUndefined();
      await expect(basiq.deleteConnection(userId, active.id)).resolves.toBeUndefined();
      const error = await caught(basiq.getConnection(userId, active.id));
      expect(error).toMatchObject({ status: 404, code: "resource-not-found" });
      expect(error.correlationId).toEqual(expect.any(String));
      return;
    }
    throw new Error("no active connection in the first 50 sandbox users");
  });
});

describe("REL acceptance against the sandbox", () => {
  it("REL-1: 200 concurrent calls at cold start make exactly one POST /token", async () => {
    const basiq = client();
    const ids = await userIds(10);
    await Promise.all(Array.from({ length: 200 }, (_, i) => basiq.getUser(ids[i % ids.length]!)));
    const counts = await stats();
    expect(counts["POST /token"]).toBe(1);
    expect(counts["GET /users/{userId}"]).toBe(200);
  });

  it("REL-1: a failed token request is not cached", async () => {
    const [userId] = await userIds(1);
    await fault({ kind: "status", route: "POST /token", status: 500, count: 1 });
    const basiq = client({ retries: 0 });
    const error = await caught(basiq.getUser(userId!));
    expect(error).toBeInstanceOf(BasiqApiError);
    expect(error).toMatchObject({ status: 500, route: "POST /token" });
    await expect(basiq.getUser(userId!)).resolves.toMatchObject({ id: userId });
    expect((await stats())["POST /token"]).toBe(2);
  });

  it("REL-1: with retries, callers ride out a failed token request together (one more token request)", async () => {
    const ids = await userIds(10);
    await fault({ kind: "status", route: "POST /token", status: 503, count: 1 });
    const basiq = client({ random: () => 0.01 });
    await Promise.all(Array.from({ length: 50 }, (_, i) => basiq.getUser(ids[i % ids.length]!)));
    expect((await stats())["POST /token"]).toBe(2);
  });

  it("REL-2: honours a short expires_in with refreshes ahead of expiry, never a 401", async () => {
    const shortLived = await startSandbox({ port: 0, tokenTtlSeconds: 2 });
    try {
      const basiq = createBasiqClient({
        baseUrl: shortLived.url,
        apiKey: "sandbox-key",
        logger: captureLogs().logger,
      });
      const users = (await (await fetch(`${shortLived.url}/__sandbox/users?limit=1`)).json()) as {
        ids: string[];
      };
      const deadline = Date.now() + 3_500;
      while (Date.now() < deadline) {
        await basiq.getUser(users.ids[0]!);
        await new Promise((r) => setTimeout(r, 50));
      }
      const counts = (await (await fetch(`${shortLived.url}/__sandbox/stats`)).json()) as Record<
        string,
        number
      >;
      expect(basiq.metrics().unauthorizedRetries).toBe(0);
      expect(counts["POST /token"]).toBeGreaterThanOrEqual(2);
      expect(counts["POST /token"]).toBeLessThanOrEqual(6); // ~one per second of a 2 s token, not one per call
    } finally {
      await shortLived.close();
    }
  });

  it("REL-3: revoke-tokens → exactly one new token and a successful retry", async () => {
    const ids = await userIds(10);
    const basiq = client();
    await basiq.getUser(ids[0]!);
    await fault({ kind: "revoke-tokens" });
    const users = await Promise.all(
      Array.from({ length: 30 }, (_, i) => basiq.getUser(ids[i % ids.length]!)),
    );
    expect(users).toHaveLength(30);
    expect((await stats())["POST /token"]).toBe(2);
    expect(basiq.metrics().unauthorizedRetries).toBeGreaterThanOrEqual(1);
  });

  it("REL-4: a 429 with Retry-After: 1 is waited out and succeeds", async () => {
    const [userId] = await userIds(1);
    await fault({ kind: "status", route: "GET /users/{userId}", status: 429, retryAfter: 1, count: 1 });
    const basiq = client();
    const started = Date.now();
    await expect(basiq.getUser(userId!)).resolves.toMatchObject({ id: userId });
    expect(Date.now() - started).toBeGreaterThanOrEqual(950);
    expect((await stats())["GET /users/{userId}"]).toBe(2);
    expect(basiq.metrics().byRoute["GET /users/{userId}"]).toMatchObject({
      status429: 1,
      lastRetryAfterSeconds: 1,
    });
  });

  it("REL-4: a hang is cut off by the timeout", async () => {
    const [userId] = await userIds(1);
    await fault({ kind: "hang", route: "GET /users/{userId}", count: 1 });
    const basiq = client({ timeoutMs: 300, retries: 0 });
    const started = Date.now();
    expect(await caught(basiq.getUser(userId!))).toBeInstanceOf(BasiqTimeoutError);
    expect(Date.now() - started).toBeLessThan(2_000);
  });

  it("REL-4: a hang then a retry succeeds for a GET", async () => {
    const [userId] = await userIds(1);
    await fault({ kind: "hang", route: "GET /users/{userId}", count: 1 });
    const basiq = client({ timeoutMs: 300 });
    await expect(basiq.getUser(userId!)).resolves.toMatchObject({ id: userId });
    expect((await stats())["GET /users/{userId}"]).toBe(2);
  });

  it("REL-4: a purge that loses its connection is 'outcome unknown' and sent once", async () => {
    const basiq = client();
    for (const userId of await userIds(50)) {
      const active = (await basiq.listConnections(userId)).find((c) => c.status === "active");
      if (!active) continue;
      await fault({
        kind: "network",
        route: "POST /users/{userId}/connections/{connectionId}/purge",
        count: 1,
      });
      expect(await caught(basiq.purgeConnection(userId, active.id))).toBeInstanceOf(BasiqOutcomeUnknownError);
      expect((await stats())["POST /users/{userId}/connections/{connectionId}/purge"]).toBe(1);
      return;
    }
    throw new Error("no active connection in the first 50 sandbox users");
  });

  it("REL-4: never retries a 404", async () => {
    const basiq = client();
    const error = await caught(basiq.getUser("no-such-user"));
    expect(error).toMatchObject({ status: 404, code: "resource-not-found" });
    expect((await stats())["GET /users/{userId}"]).toBe(1);
  });

  it("a malformed 200 is a BasiqSchemaError, not a crash", async () => {
    const [userId] = await userIds(1);
    await fault({ kind: "malformed", route: "GET /users/{userId}", count: 1 });
    const error = await caught(client().getUser(userId!));
    expect(error).toBeInstanceOf(BasiqSchemaError);
    expect(error).toMatchObject({ status: 200 });
  });

  it("REL-6 per lane: at most the lane's budget in flight (8 here) with 100 concurrent calls on two routes", async () => {
    // The issue-15 lanes give interactive and background work a budget each (BASIQ_INTERACTIVE_MAX_IN_FLIGHT,
    // BASIQ_BACKGROUND_MAX_IN_FLIGHT); within a lane one route holds at most 80 % of it (6 of 8).
    const ids = await userIds(10);
    await fault({ kind: "latency", route: "GET /users/{userId}", ms: 40, count: 50 });
    await fault({ kind: "latency", route: "GET /users/{userId}/connections", ms: 40, count: 50 });
    const basiq = client({ interactiveMaxInFlight: 8 });
    await Promise.all(
      Array.from({ length: 100 }, (_, i) =>
        i % 2 === 0 ? basiq.getUser(ids[i % ids.length]!) : basiq.listConnections(ids[i % ids.length]!),
      ),
    );
    const { maxInFlight } = await metrics();
    expect(maxInFlight).toBeLessThanOrEqual(8);
    expect(maxInFlight).toBe(8); // and the budget is actually used
  });
});
