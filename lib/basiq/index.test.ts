import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";

import { basiqError, fakeBasiq, hang, json, wire } from "./testing";

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
    (await import("./index")).setBasiqFetchForTests(undefined);
    (await import("./index")).resetBasiqClientForTests();
    vi.unstubAllEnvs();
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
    (await import("./index")).setBasiqFetchForTests(fake.fetch);
    const client = (await import("./index")).basiq();
    await client.getUser("u-1");
    expect(fake.requests.map((r) => r.url.href)).toEqual([
      "https://basiq.test/token",
      "https://basiq.test/users/u-1",
    ]);
    expect(fake.requests[0]!.headers.get("authorization")).toBe("Basic live-key");
    expect(JSON.stringify(client.metrics())).not.toContain("live-key");
  });

  it("times each attempt out after BASIQ_TIMEOUT_MS and waits out no Retry-After above BASIQ_MAX_RETRY_WAIT_MS", async () => {
    vi.stubEnv("BASIQ_TIMEOUT_MS", "500");
    vi.stubEnv("BASIQ_MAX_RETRY_WAIT_MS", "1000");
    (await import("../env")).resetEnvForTests();
    const fake = fakeBasiq();
    (await import("./index")).setBasiqFetchForTests(fake.fetch);
    const { basiq, BasiqTimeoutError, BasiqApiError } = await import("./index");

    fake.onRequest = hang;
    const started = Date.now();
    const timedOut = await basiq().getUser("u-1").catch((e: unknown) => e);
    expect(timedOut).toBeInstanceOf(BasiqTimeoutError);
    expect((timedOut as InstanceType<typeof BasiqTimeoutError>).timeoutMs).toBe(500);
    expect(fake.apiRequests()).toHaveLength(3); // 1 + 2 retries, each cut at 500 ms
    expect(Date.now() - started).toBeLessThan(3 * 500 + 1_500 + 1_000); // attempts + at most 0.5 + 1 s backoff

    fake.requests.length = 0;
    fake.onRequest = () => basiqError(429, "rate-limit", "corr-2", { "Retry-After": "2" });
    const limited = await basiq().getUser("u-1").catch((e: unknown) => e);
    expect(limited).toBeInstanceOf(BasiqApiError);
    expect((limited as InstanceType<typeof BasiqApiError>).retryAfterSeconds).toBe(2);
    expect(fake.apiRequests()).toHaveLength(1); // 2 s is above the 1 s cap: not waited out
  });
});
