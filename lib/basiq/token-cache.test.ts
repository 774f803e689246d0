import { describe, expect, it, vi } from "vitest";

import { type IssuedToken, TokenCache } from "./token-cache";

const MIN = 60_000;

/** A token cache over a scriptable token endpoint and a manual clock. */
function setup(options: { ttlSeconds?: number } = {}) {
  let time = Date.UTC(2026, 0, 1);
  let issued = 0;
  const pending: { resolve: (t: IssuedToken) => void; reject: (e: unknown) => void }[] = [];
  let mode: "auto" | "manual" = "auto";
  const requestToken = vi.fn((): Promise<IssuedToken> =>
    mode === "auto"
      ? Promise.resolve({ accessToken: `t${++issued}`, expiresInSeconds: options.ttlSeconds ?? 3600 })
      : new Promise((resolve, reject) => pending.push({ resolve, reject })),
  );
  const onBackgroundRefreshError = vi.fn();
  const cache = new TokenCache({
    requestToken,
    now: () => time,
    refreshAgeMs: 30 * MIN,
    blockingWindowMs: MIN,
    backgroundRetryCooldownMs: 5_000,
    onBackgroundRefreshError,
  });
  return {
    cache,
    requestToken,
    onBackgroundRefreshError,
    advance: (ms: number) => void (time += ms),
    manual: () => void (mode = "manual"),
    auto: () => void (mode = "auto"),
    /** Settles the oldest pending manual request. */
    settle: (outcome: IssuedToken | Error) => {
      const next = pending.shift()!;
      if (outcome instanceof Error) next.reject(outcome);
      else next.resolve(outcome);
    },
    pendingCount: () => pending.length,
  };
}

const flush = () => new Promise((r) => setImmediate(r));

describe("TokenCache", () => {
  it("shares one in-flight request between concurrent callers at cold start", async () => {
    const t = setup();
    t.manual();
    const callers = Array.from({ length: 200 }, () => t.cache.get());
    expect(t.requestToken).toHaveBeenCalledTimes(1);
    t.settle({ accessToken: "only", expiresInSeconds: 3600 });
    expect(new Set(await Promise.all(callers))).toEqual(new Set(["only"]));
    expect(t.requestToken).toHaveBeenCalledTimes(1);
  });

  it("does not cache a failed request: every waiter fails, the next caller tries again", async () => {
    const t = setup();
    t.manual();
    const waiters = [t.cache.get(), t.cache.get()];
    t.settle(new Error("token endpoint down"));
    for (const w of waiters) await expect(w).rejects.toThrow("token endpoint down");
    t.auto();
    await expect(t.cache.get()).resolves.toBe("t1");
    expect(t.requestToken).toHaveBeenCalledTimes(2);
  });

  it("serves the cached token without a request until it is 30 minutes old", async () => {
    const t = setup();
    await t.cache.get();
    t.advance(30 * MIN - 1);
    for (let i = 0; i < 10; i++) expect(await t.cache.get()).toBe("t1");
    expect(t.requestToken).toHaveBeenCalledTimes(1);
  });

  it("at 30 minutes returns the current token at once and starts exactly one background refresh", async () => {
    const t = setup();
    await t.cache.get();
    t.advance(30 * MIN);
    t.manual();
    const served = await Promise.all(Array.from({ length: 50 }, () => t.cache.get()));
    expect(served.every((v) => v === "t1")).toBe(true); // nobody waited for the refresh
    expect(t.requestToken).toHaveBeenCalledTimes(2);
    t.settle({ accessToken: "t2", expiresInSeconds: 3600 });
    await flush();
    expect(await t.cache.get()).toBe("t2");
    expect(t.requestToken).toHaveBeenCalledTimes(2);
  });

  it("blocks callers in the token's last minute", async () => {
    const t = setup();
    await t.cache.get();
    t.advance(59 * MIN); // exactly one minute left
    t.manual();
    let resolved = false;
    const caller = t.cache.get().then((v) => {
      resolved = true;
      return v;
    });
    await flush();
    expect(resolved).toBe(false);
    t.settle({ accessToken: "t2", expiresInSeconds: 3600 });
    expect(await caller).toBe("t2");
  });

  it("blocks callers once the token has expired", async () => {
    const t = setup();
    await t.cache.get();
    t.advance(2 * 60 * MIN);
    expect(await t.cache.get()).toBe("t2");
    expect(t.requestToken).toHaveBeenCalledTimes(2);
  });

  it("honours a short expires_in: refresh at half its life, block in its last quarter", async () => {
    const t = setup({ ttlSeconds: 60 });
    await t.cache.get();
    t.advance(29_000);
    await t.cache.get();
    expect(t.requestToken).toHaveBeenCalledTimes(1);
    t.advance(1_000); // 30 s: stale, background refresh
    t.manual();
    expect(await t.cache.get()).toBe("t1");
    expect(t.requestToken).toHaveBeenCalledTimes(2);
    t.settle(new Error("refresh failed"));
    await flush();
    t.advance(15_000); // 45 s: last quarter of a 60 s token → blocking
    const caller = t.cache.get();
    expect(t.requestToken).toHaveBeenCalledTimes(3);
    t.settle({ accessToken: "t3", expiresInSeconds: 60 });
    expect(await caller).toBe("t3");
  });

  it("keeps serving the current token when a background refresh fails, and retries after a cooldown", async () => {
    const t = setup();
    await t.cache.get();
    t.advance(30 * MIN);
    t.manual();
    expect(await t.cache.get()).toBe("t1");
    t.settle(new Error("503"));
    await flush();
    expect(t.onBackgroundRefreshError).toHaveBeenCalledTimes(1);
    expect(await t.cache.get()).toBe("t1"); // within the cooldown: no new request
    expect(t.requestToken).toHaveBeenCalledTimes(2);
    t.advance(5_000);
    expect(await t.cache.get()).toBe("t1");
    expect(t.requestToken).toHaveBeenCalledTimes(3);
  });

  it("forceRefresh: callers holding the same stale token share one new request", async () => {
    const t = setup();
    const stale = await t.cache.get();
    t.manual();
    const refreshed = Array.from({ length: 50 }, () => t.cache.forceRefresh(stale));
    expect(t.requestToken).toHaveBeenCalledTimes(2);
    t.settle({ accessToken: "fresh", expiresInSeconds: 3600 });
    expect(new Set(await Promise.all(refreshed))).toEqual(new Set(["fresh"]));
    // A straggler whose 401 arrives after the replacement gets it without another request.
    expect(await t.cache.forceRefresh(stale)).toBe("fresh");
    expect(t.requestToken).toHaveBeenCalledTimes(2);
  });

  it("forceRefresh joins a background refresh already in flight", async () => {
    const t = setup();
    const stale = await t.cache.get();
    t.advance(30 * MIN);
    t.manual();
    await t.cache.get(); // starts the background refresh
    const forced = t.cache.forceRefresh(stale);
    expect(t.requestToken).toHaveBeenCalledTimes(2);
    t.settle({ accessToken: "t2", expiresInSeconds: 3600 });
    expect(await forced).toBe("t2");
  });

  it("reports age, remaining life, requests in the last 24 h and callers per request", async () => {
    const t = setup();
    expect(t.cache.metrics()).toMatchObject({ tokenAgeSeconds: null, tokenExpiresInSeconds: null });
    await t.cache.get();
    await t.cache.get();
    t.advance(10 * MIN);
    await t.cache.get();
    await t.cache.get();
    const m = t.cache.metrics();
    expect(m.tokenAgeSeconds).toBe(600);
    expect(m.tokenExpiresInSeconds).toBe(3000);
    expect(m.tokenRequests).toMatchObject({ total: 1, last24h: 1 });
    expect(m.tokenRequests.timestamps).toEqual([new Date(Date.UTC(2026, 0, 1)).toISOString()]);
    expect(m.callersServedPerTokenRequest).toBe(4);
    t.advance(24 * 60 * MIN);
    expect(t.cache.metrics().tokenRequests).toMatchObject({ total: 1, last24h: 0 });
  });
});
