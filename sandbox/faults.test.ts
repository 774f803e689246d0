// Control endpoints: request counters, metrics, every fault kind, and reset.
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";

import { generateDataset } from "./data";
import { startTestSandbox, type TestSandbox } from "./test-support/client";

const USERS = 60;
const dataset = generateDataset({ users: USERS, seed: 1 });
const user = dataset.user(0);
const connectionsPath = `/users/${user.id}/connections`;

describe("control endpoints and faults", () => {
  let running: TestSandbox;
  beforeAll(async () => {
    running = await startTestSandbox({ users: USERS });
  });
  afterAll(async () => {
    await running.sandbox.close();
  });
  afterEach(async () => {
    await running.client.reset();
  });

  it("counts every Basiq-route request by METHOD and path template, errors and faults included", async () => {
    const { client } = running;
    await client.reset();
    await client.get(connectionsPath);
    await client.get(`/users/${dataset.user(1).id}/connections`);
    await client.get("/users/unknown/connections"); // 404
    await client.get(connectionsPath, { token: "bad" }); // 401
    await client.fault({ kind: "status", route: "GET /connectors", status: 503, count: 1 });
    await client.get("/connectors"); // 503 from the fault
    await client.get(`/connectors/AU00000/web`);
    await client.get("/nowhere"); // not a Basiq route: not counted
    expect(await client.stats()).toEqual({
      "POST /token": 1,
      "GET /users/{userId}/connections": 4,
      "GET /connectors": 1,
      "GET /connectors/{connectorId}/{method}": 1,
    });
  });

  it("metrics: maxInFlight shows the peak of concurrent requests", async () => {
    const { client } = running;
    await client.accessToken();
    await client.reset();
    await client.accessToken();
    await client.fault({ kind: "latency", route: "GET /connectors", ms: 300 });
    await Promise.all(Array.from({ length: 6 }, () => client.get("/connectors")));
    const metrics = (await client.control("GET", "metrics")).body;
    expect(metrics).toEqual({ inFlight: 0, maxInFlight: 6, tokensIssued: 1, activeTokens: 1 });
  });

  it("status fault: Basiq-shaped error with Retry-After, for `count` requests, then normal", async () => {
    const { client } = running;
    const id = await client.fault({
      kind: "status",
      route: "GET /users/{userId}/connections",
      status: 429,
      retryAfter: 3,
      count: 2,
    });
    expect(id).toMatch(/^fault-\d+$/);
    for (let i = 0; i < 2; i++) {
      const reply = await client.get(connectionsPath);
      expect(reply.status).toBe(429);
      expect(reply.headers.get("retry-after")).toBe("3");
      expect(reply.body).toMatchObject({
        type: "list",
        data: [{ type: "error", code: "too-many-requests" }],
      });
      expect(typeof reply.body.correlationId).toBe("string");
    }
    expect((await client.get(connectionsPath)).status).toBe(200);
    // Other routes were never affected.
    const unavailable = await client.fault({ kind: "status", route: "GET /connectors", status: 503 });
    expect(unavailable).toBeTruthy();
    expect((await client.get(connectionsPath)).status).toBe(200);
    for (let i = 0; i < 3; i++) {
      const reply = await client.get("/connectors");
      expect(reply.status).toBe(503);
      expect(reply.body.data[0].code).toBe("service-unavailable");
      expect(reply.headers.get("retry-after")).toBeNull();
    }
    // Without count it lasts until cleared.
    expect((await client.control("DELETE", "faults")).body).toEqual({ ok: true, cleared: 1 });
    expect((await client.get("/connectors")).status).toBe(200);
  });

  it("a route fault with userId applies to that user's requests only (parallel tests fault their own user)", async () => {
    const { client } = running;
    const other = dataset.user(1);
    await client.fault({ kind: "status", route: "GET /users/{userId}/connections", status: 503, userId: user.id });
    expect((await client.get(connectionsPath)).status).toBe(503);
    expect((await client.get(`/users/${other.id}/connections`)).status).toBe(200);
    expect((await client.get(connectionsPath)).status).toBe(503); // no count: until cleared
  });

  it('route patterns: "*" matches every Basiq route, "GET *" only GETs', async () => {
    const { client } = running;
    await client.accessToken();
    await client.fault({ kind: "status", route: "GET *", status: 500 });
    expect((await client.get("/connectors")).status).toBe(500);
    expect((await client.get(connectionsPath)).status).toBe(500);
    const connection = user.connections[0]?.id ?? "";
    expect((await client.post(`${connectionsPath}/${connection}/refresh`)).status).toBe(202);
    await client.control("DELETE", "faults");
    await client.fault({ kind: "status", route: "*", status: 502, count: 1 });
    client.forgetToken();
    const token = await client.requestToken();
    expect(token.status).toBe(502);
  });

  it("latency fault delays matching requests only", async () => {
    const { client } = running;
    await client.accessToken();
    await client.fault({ kind: "latency", route: "GET /connectors", ms: 250, count: 1 });
    const started = Date.now();
    expect((await client.get("/connectors")).status).toBe(200);
    expect(Date.now() - started).toBeGreaterThanOrEqual(240);
    const again = Date.now();
    await client.get("/connectors");
    expect(Date.now() - again).toBeLessThan(240);
  });

  it("hang fault: no answer until the client gives up; inFlight drops when it does", async () => {
    const { client } = running;
    await client.accessToken();
    await client.fault({ kind: "hang", route: "GET /users/{userId}/connections", count: 1 });
    await expect(client.get(connectionsPath, { signal: AbortSignal.timeout(300) })).rejects.toThrow();
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect((await client.control("GET", "metrics")).body.inFlight).toBe(0);
    expect((await client.get(connectionsPath)).status).toBe(200);
  });

  it("hang fault does not keep close() from finishing", async () => {
    const other = await startTestSandbox({ users: 5 });
    await other.client.accessToken();
    await other.client.fault({ kind: "hang", route: "*" });
    const hanging = other.client.get("/connectors").catch((error: unknown) => error);
    await new Promise((resolve) => setTimeout(resolve, 100));
    const started = Date.now();
    await other.sandbox.close();
    expect(Date.now() - started).toBeLessThan(1000);
    expect(await hanging).toBeInstanceOf(Error);
  });

  it("network fault destroys the socket; the next request works", async () => {
    const { client } = running;
    await client.accessToken();
    await client.fault({ kind: "network", route: "GET /connectors", count: 1 });
    await expect(client.get("/connectors")).rejects.toThrow(/fetch failed/);
    expect((await client.get("/connectors")).status).toBe(200);
  });

  it("malformed fault: 200 with a body that breaks the schema", async () => {
    const { client } = running;
    await client.fault({ kind: "malformed", route: "POST /token", count: 1 });
    const reply = await client.requestToken();
    expect(reply.status).toBe(200);
    expect(reply.body.access_token).toBeUndefined();
    expect(typeof reply.body.type).not.toBe("string");
  });

  it("connector-status changes a connector from now on; reset restores it", async () => {
    const { client } = running;
    const before = await client.get("/connectors/AU00101/web");
    expect(before.body.status).toBe("operational");
    await client.fault({
      kind: "connector-status",
      connectorId: "AU00101",
      method: "web",
      status: "major-outage",
    });
    expect((await client.get("/connectors/AU00101/web")).body.status).toBe("major-outage");
    const outages = await client.get("/connectors?filter=connector.status.eq('major-outage')");
    expect(outages.body.data.map((c: { id: string; method: string }) => `${c.id}/${c.method}`)).toContain(
      "AU00101/web",
    );
    // Clearing route faults leaves connector statuses alone; reset restores them.
    await client.control("DELETE", "faults");
    expect((await client.get("/connectors/AU00101/web")).body.status).toBe("major-outage");
    await client.reset();
    expect((await client.get("/connectors/AU00101/web")).body.status).toBe("operational");
  });

  it("rejects invalid fault bodies with 400", async () => {
    const { client } = running;
    const invalid: unknown[] = [
      { kind: "status", route: "GET /connectors" }, // no status
      { kind: "status", route: "GET /nowhere", status: 503 }, // unknown route
      { kind: "status", route: "GET /connectors", status: 200 }, // not an error status
      { kind: "latency", route: "*", ms: -1 },
      { kind: "hang", route: "*", count: 0 },
      { kind: "explode", route: "*" },
      { kind: "connector-status", connectorId: "AU99999", method: "web", status: "operational" }, // no such connector
      { kind: "connector-status", connectorId: "AU00000", method: "web", status: "on-fire" },
      { kind: "revoke-tokens", extra: true },
    ];
    for (const body of invalid) {
      const reply = await client.control("POST", "faults", body);
      expect(reply.status, JSON.stringify(body)).toBe(400);
      expect(reply.body.ok).toBe(false);
    }
    const notJson = await client.request("/__sandbox/faults", { method: "POST", token: false, body: "{" });
    expect(notJson.status).toBe(400);
    expect((await client.control("GET", "faults")).body).toEqual([]);
  });

  it("reset clears stats, metrics, faults, tokens and mutations", async () => {
    const { client } = running;
    const connection = user.connections[0];
    if (!connection) throw new Error("persona without connection");
    await client.get(connectionsPath);
    await client.post(`${connectionsPath}/${connection.id}/purge`);
    await client.post(`${connectionsPath}/${connection.id}/refresh`);
    await client.fault({ kind: "status", route: "GET /events", status: 503 });
    const token = await client.accessToken();
    expect((await client.get(`${connectionsPath}/${connection.id}`)).body.accounts.data).toEqual([]);

    await client.reset();
    expect(await client.stats()).toEqual({});
    expect((await client.control("GET", "metrics")).body).toEqual({
      inFlight: 0,
      maxInFlight: 0,
      tokensIssued: 0,
      activeTokens: 0,
    });
    expect((await client.control("GET", "faults")).body).toEqual([]);
    expect((await client.get("/connectors", { token })).status).toBe(401);
    expect((await client.get("/events")).status).toBe(200);
    const restored = await client.get(`${connectionsPath}/${connection.id}`);
    expect(restored.body.accounts.data).toHaveLength(connection.accounts.length);
    const jobs = await client.get(`/users/${user.id}/jobs?filter=connection.id.eq('${connection.id}')`);
    expect(jobs.body.size).toBe(connection.jobs.length);
  });

  it("lists user ids in pages, standing in for the partner's records", async () => {
    const { client } = running;
    const page = await client.control("GET", "users?offset=10&limit=5");
    expect(page.body).toEqual({
      total: USERS,
      ids: Array.from({ length: 5 }, (_, i) => dataset.userId(10 + i)),
    });
    expect((await client.control("GET", `users?offset=${USERS - 2}&limit=10`)).body.ids).toHaveLength(2);
    expect((await client.control("GET", "users?limit=0")).status).toBe(400);
    expect((await client.control("GET", "users?offset=-1")).status).toBe(400);
    expect((await client.control("GET", "nothing-here")).status).toBe(404);
  });
});
