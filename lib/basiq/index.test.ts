import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";

import { fakeBasiq, json, wire } from "./testing";

const KEY32 = Buffer.alloc(32, 7).toString("base64");

describe("basiq() singleton", () => {
  beforeEach(async () => {
    vi.stubEnv("BASIQ_API_KEY", "live-key");
    vi.stubEnv("BASIQ_API_URL", "https://basiq.test");
    vi.stubEnv("AUTH_SECRET", "x".repeat(40));
    vi.stubEnv("ENCRYPTION_KEY", `k1:${KEY32}`);
    vi.stubEnv("BLIND_INDEX_KEY", KEY32);
    (await import("../env")).resetEnvForTests();
    (await import("./index")).resetBasiqClientForTests();
  });

  afterEach(async () => {
    (await import("./index")).resetBasiqClientForTests();
    vi.unstubAllEnvs();
    vi.unstubAllGlobals();
    (await import("../env")).resetEnvForTests();
  });

  it("is one client per process, and survives a module reload (dev HMR) on globalThis", async () => {
    const first = (await import("./index")).basiq();
    expect((await import("./index")).basiq()).toBe(first);
    vi.resetModules();
    const reloaded = await import("./index");
    expect(reloaded.basiq()).toBe(first);
  });

  it("builds its client from env(): BASIQ_API_URL and BASIQ_API_KEY", async () => {
    const fake = fakeBasiq();
    fake.onRequest = () => json(200, wire.user());
    vi.stubGlobal("fetch", fake.fetch);
    const client = (await import("./index")).basiq();
    await client.getUser("u-1");
    expect(fake.requests.map((r) => r.url.href)).toEqual([
      "https://basiq.test/token",
      "https://basiq.test/users/u-1",
    ]);
    expect(fake.requests[0]!.headers.get("authorization")).toBe("Basic live-key");
    expect(JSON.stringify(client.metrics())).not.toContain("live-key");
  });
});
