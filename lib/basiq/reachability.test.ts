import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";

import { type Sandbox, startSandbox } from "@/sandbox/server";

import { createBasiqClient } from "./client";
import { createReachabilityProbe, REACHABILITY_CACHE_MS } from "./reachability";
import { captureLogs } from "./testing";

// /api/health's Basiq verdict (issue 14 item 11): a real authenticated read, cached 30 s, shared by every caller.
// Before, health only asked the token cache, so a Basiq that stopped answering (with a token still cached)
// was reported "ok" for up to an hour: the 503 case below answered "ok" on the old code.

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

async function control<T = unknown>(method: "GET" | "POST" | "DELETE", path: string, body?: unknown): Promise<T> {
  const response = await fetch(`${sandbox.url}${path}`, {
    method,
    headers: body === undefined ? {} : { "content-type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  if (!response.ok) throw new Error(`sandbox control ${method} ${path}: ${response.status}`);
  return (await response.json()) as T;
}
const stats = () => control<Record<string, number>>("GET", "/__sandbox/stats");

function probeWith(apiKey = "sandbox-key") {
  const clock = { now: 1_000_000 };
  const client = createBasiqClient({ baseUrl: sandbox.url, apiKey, logger: captureLogs().logger, retries: 0 });
  return { clock, client, probe: createReachabilityProbe(() => client, () => clock.now) };
}

describe("Basiq reachability for /api/health", () => {
  it("is one GET /events/types per 30 s, whoever asks", async () => {
    const { clock, probe } = probeWith();
    expect(await Promise.all(Array.from({ length: 20 }, () => probe.check()))).toEqual(Array(20).fill("ok"));
    clock.now += REACHABILITY_CACHE_MS - 1;
    expect(await probe.check()).toBe("ok");
    expect((await stats())["GET /events/types"]).toBe(1);
    clock.now += 1;
    expect(await probe.check()).toBe("ok");
    expect((await stats())["GET /events/types"]).toBe(2);
    expect((await stats())["POST /token"]).toBe(1);
  });

  it("says down when Basiq stops answering although a token is still cached", async () => {
    const { clock, client, probe } = probeWith();
    await client.checkAccess(); // a token in the cache, as on a running server
    await control("POST", "/__sandbox/faults", { kind: "status", route: "GET /events/types", status: 503 });
    expect(await probe.check()).toBe("down");
    await control("DELETE", "/__sandbox/faults");
    expect(await probe.check()).toBe("down"); // the verdict is kept for its 30 s...
    clock.now += REACHABILITY_CACHE_MS;
    expect(await probe.check()).toBe("ok"); // ...and renewed after them
  });

  it("says unauthorized when Basiq refuses the API key", async () => {
    const { probe } = probeWith("not-the-sandbox-key");
    expect(await probe.check()).toBe("unauthorized");
  });
});
