// The session cookie is decrypted once per process (Auth.js's JWE is the costliest step of reading the caller):
// a repeat of the same cookie is answered from memory, a cookie that failed is never remembered, an entry past the
// token's expiry is decrypted again (and refused), and the memory is bounded.
import { randomBytes, randomUUID } from "node:crypto";

import type * as Jwt from "next-auth/jwt";
import { encode } from "next-auth/jwt";
import { afterEach, describe, expect, it, vi } from "vitest";

const jar = new Map<string, string>();
vi.mock("next/headers", () => ({
  cookies: async () => ({ get: (name: string) => (jar.has(name) ? { name, value: jar.get(name)! } : undefined) }),
}));
const decodes = vi.hoisted(() => ({ n: 0 }));
vi.mock("next-auth/jwt", async (importOriginal) => {
  const actual = await importOriginal<typeof Jwt>();
  return {
    ...actual,
    decode: (params: Parameters<typeof actual.decode>[0]) => {
      decodes.n++;
      return actual.decode(params);
    },
  };
});

const { env } = await import("@/lib/env");
const { DECODED_COOKIES_MAX, decodedCookieCount, getSessionIdentity } = await import("./identity");

const COOKIE = "authjs.session-token";
const sid = () => randomBytes(32).toString("base64url");

async function cookieFor(staffId: string, sessionId: string, maxAge = 3600): Promise<string> {
  return encode({ token: { sub: staffId, sid: sessionId }, secret: env().authSecret, salt: COOKIE, maxAge });
}

afterEach(() => {
  vi.useRealTimers();
  jar.clear();
});

describe("getSessionIdentity", () => {
  it("decrypts a cookie once and answers its repeats from memory", async () => {
    const staffId = randomUUID();
    const sessionId = sid();
    jar.set(COOKIE, await cookieFor(staffId, sessionId));
    const before = decodes.n;
    const first = await getSessionIdentity();
    const again = await getSessionIdentity();
    expect(first).toEqual({ staffId, sessionId, cookieName: COOKIE });
    expect(again).toEqual(first);
    expect(decodes.n - before).toBe(1);
  });

  it("never remembers a cookie that failed: a tampered one is refused every time", async () => {
    const good = await cookieFor(randomUUID(), sid());
    const tampered = `${good.slice(0, -6)}AAAAAA`;
    jar.set(COOKIE, tampered);
    const before = decodes.n;
    expect(await getSessionIdentity()).toBeNull();
    expect(await getSessionIdentity()).toBeNull();
    expect(decodes.n - before).toBe(2);
  });

  it("an entry past the token's expiry is decrypted again, and refused", async () => {
    vi.useFakeTimers({ toFake: ["Date"] });
    vi.setSystemTime(new Date("2026-12-02T08:00:00Z"));
    jar.set(COOKIE, await cookieFor(randomUUID(), sid(), 60));
    expect(await getSessionIdentity()).not.toBeNull();
    vi.setSystemTime(new Date("2026-12-02T08:00:59Z"));
    expect(await getSessionIdentity()).not.toBeNull(); // still valid: from memory
    vi.setSystemTime(new Date("2026-12-02T08:02:00Z")); // past exp and Auth.js's 15 s tolerance
    const before = decodes.n;
    expect(await getSessionIdentity()).toBeNull();
    expect(decodes.n - before).toBe(1);
  });

  it("remembers at most DECODED_COOKIES_MAX cookies", async () => {
    const cookies = await Promise.all(Array.from({ length: DECODED_COOKIES_MAX + 20 }, () => cookieFor(randomUUID(), sid())));
    for (const value of cookies) {
      jar.set(COOKIE, value);
      expect(await getSessionIdentity()).not.toBeNull();
    }
    expect(decodedCookieCount()).toBe(DECODED_COOKIES_MAX);
    // The oldest left first: the first cookie is decrypted again, the newest is not.
    const before = decodes.n;
    jar.set(COOKIE, cookies.at(-1)!);
    await getSessionIdentity();
    expect(decodes.n - before).toBe(0);
    jar.set(COOKIE, cookies[0]!);
    await getSessionIdentity();
    expect(decodes.n - before).toBe(1);
  });
});
