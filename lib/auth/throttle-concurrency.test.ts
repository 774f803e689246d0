// Issue 14 item 2: throttles must hold under a burst of simultaneous attempts. The old code checked the limit,
// spent ~100 ms in scrypt (or checked the TOTP code), then counted the failure, so 200 simultaneous guesses were
// all evaluated. Each burst below sends more than 100 attempts at once and counts how many reached the verifier
// (the password hash or the TOTP comparison): never more than the limit. With DATABASE_URL (CI) the attempts
// are spread over two separate connection pools of one PostgreSQL database, as two server instances would be;
// without it they run on PGlite.
import { and, eq } from "drizzle-orm";
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";

import type { CurrentStaff } from "@/lib/auth/session";
import type { Database } from "@/lib/db/client";
import type { TestDatabase } from "@/test/db";

import type * as PasswordModule from "./password";
import type * as TotpModule from "./totp";

const calls = { password: 0, totp: 0 };
vi.mock("@/lib/auth/password", async (importOriginal) => {
  const real = await importOriginal<typeof PasswordModule>();
  return {
    ...real,
    verifyPassword: async (...args: Parameters<typeof real.verifyPassword>) => {
      calls.password += 1;
      return real.verifyPassword(...args);
    },
  };
});
vi.mock("@/lib/auth/totp", async (importOriginal) => {
  const real = await importOriginal<typeof TotpModule>();
  return {
    ...real,
    matchTotp: (...args: Parameters<typeof real.matchTotp>) => {
      calls.totp += 1;
      return real.matchTotp(...args);
    },
  };
});
vi.mock("@/lib/security/origin", () => ({ isSameOriginRequest: async () => true }));

const { createTestDatabase } = await import("@/test/db");
const { openDatabase, useDatabaseForTests } = await import("@/lib/db/client");
const { auditEvents, signInThrottle } = await import("@/lib/db/schema");
const { createStaff } = await import("@/lib/staff/accounts");
const { verifySignIn } = await import("./sign-in");
const { MAX_FAILURES_PER_ACCOUNT, MAX_FAILURES_PER_IP } = await import("./throttle");
const { createSession } = await import("./server-sessions");
const sf = await import("./second-factor");
const { totp } = await import("./totp");
const { purgeConnection } = await import("@/lib/dal/purge");

const BURST = 150;
let t: TestDatabase;
let second: { db: Database; close(): Promise<void> } | null = null;
let n = 0;

/** Each query builder comes from one of two pools in turn (PostgreSQL), or from the one PGlite. */
function twoPools(a: Database, b: Database): Database {
  let i = 0;
  return new Proxy(a, {
    get(_target, prop) {
      const db = i++ % 2 === 0 ? a : b;
      const value = Reflect.get(db, prop) as unknown;
      return typeof value === "function" ? (value as (...x: unknown[]) => unknown).bind(db) : value;
    },
  });
}

async function person(role: "support" | "admin" = "support") {
  n += 1;
  const email = `burst${n}@corp.example`;
  const password = "the right long password";
  const { id } = await createStaff(t.db, { email, name: `B${n}`, role, password });
  return { id, email, role, password };
}

beforeAll(async () => {
  t = await createTestDatabase();
  if (t.kind === "postgres" && t.url) {
    second = await openDatabase({ databaseUrl: t.url });
    useDatabaseForTests(twoPools(t.db, second.db));
  } else {
    useDatabaseForTests(t.db);
  }
});
afterAll(async () => {
  await second?.close();
  await t?.close();
});
beforeEach(() => {
  calls.password = 0;
  calls.totp = 0;
});

describe(`throttles under a burst of ${BURST} simultaneous attempts (${process.env.DATABASE_URL ? "PostgreSQL, two pools" : "PGlite"})`, { timeout: 120_000 }, () => {
  it(`sign-in: at most ${MAX_FAILURES_PER_ACCOUNT} guesses of one account are checked, then even the right password is refused`, async () => {
    const p = await person();
    const results = await Promise.all(
      Array.from({ length: BURST }, (_, i) =>
        verifySignIn({ email: p.email, password: `wrong guess ${i}` }, { ip: `198.51.100.${i % 200}`, userAgent: "burst" }),
      ),
    );
    expect(calls.password).toBeLessThanOrEqual(MAX_FAILURES_PER_ACCOUNT);
    expect(results.filter((r) => !r.ok && r.reason === "throttled").length).toBeGreaterThanOrEqual(BURST - MAX_FAILURES_PER_ACCOUNT);
    const evaluated = await t.db
      .select()
      .from(auditEvents)
      .where(and(eq(auditEvents.action, "auth.sign_in"), eq(auditEvents.actorEmail, p.email), eq(auditEvents.outcome, "failure")));
    expect(evaluated.length).toBeLessThanOrEqual(MAX_FAILURES_PER_ACCOUNT);
    expect(await verifySignIn({ email: p.email, password: p.password }, { ip: "192.0.2.1", userAgent: "x" })).toEqual({
      ok: false,
      reason: "throttled",
    });
  });

  it(`sign-in: at most ${MAX_FAILURES_PER_IP} guesses from one IP are checked, whatever the accounts`, async () => {
    const ip = "203.0.113.99";
    const results = await Promise.all(
      Array.from({ length: BURST }, (_, i) => verifySignIn({ email: `nobody${i}@corp.example`, password: "guess" }, { ip, userAgent: "burst" })),
    );
    expect(calls.password).toBeLessThanOrEqual(MAX_FAILURES_PER_IP);
    expect(results.filter((r) => !r.ok && r.reason === "throttled").length).toBeGreaterThanOrEqual(BURST - MAX_FAILURES_PER_IP);
    const evaluated = await t.db.select().from(auditEvents).where(and(eq(auditEvents.ip, ip), eq(auditEvents.outcome, "failure")));
    expect(evaluated.length).toBeLessThanOrEqual(MAX_FAILURES_PER_IP);
  });

  it(`second factor: at most ${sf.SECOND_FACTOR_MAX_FAILURES} codes are checked, and a burst of every code cannot get one through`, async () => {
    const now = new Date("2026-12-01T10:00:00Z");
    const p = await person();
    const owner = { id: p.id, email: p.email, role: p.role };
    const enrolSession = await createSession(p.id, { ip: null, userAgent: null }, now);
    const { secret } = await sf.startEnrolment(owner, enrolSession);
    expect(await sf.confirmEnrolment(owner, enrolSession, totp(secret, now.getTime()), undefined, now)).toMatchObject({ ok: true });
    const later = new Date(now.getTime() + 60_000);
    const sessionId = await createSession(p.id, { ip: null, userAgent: null }, later);
    const right = totp(secret, later.getTime());
    calls.totp = 0;
    // BURST codes, none of them the right one; then the right one after the burst.
    const codes = Array.from({ length: BURST }, (_, i) => String((Number(right) + 1 + i) % 1_000_000).padStart(6, "0"));
    const results = await Promise.all(codes.map((code) => sf.verifySecondFactor(owner, sessionId, code, undefined, later)));
    expect(calls.totp).toBeLessThanOrEqual(sf.SECOND_FACTOR_MAX_FAILURES);
    expect(results.filter((r) => r.ok)).toHaveLength(0);
    expect(await sf.verifySecondFactor(owner, sessionId, right, undefined, later)).toEqual({ ok: false, reason: "throttled" });
    const evaluated = await t.db
      .select()
      .from(auditEvents)
      .where(and(eq(auditEvents.action, "auth.second_factor_verify"), eq(auditEvents.actorId, p.id), eq(auditEvents.outcome, "failure")));
    expect(evaluated.length).toBeLessThanOrEqual(sf.SECOND_FACTOR_MAX_FAILURES);
  });

  it(`purge's password prompt: at most ${MAX_FAILURES_PER_ACCOUNT} guesses are checked, and they count toward the account's sign-in limit`, async () => {
    const p = await person("admin");
    const caller: CurrentStaff = { id: p.id, email: p.email, name: "B", role: "admin", signedInAt: Date.now() - 60 * 60_000 };
    const target = { userId: "00000000-0000-4000-8000-0000000000aa", connectionId: "00000000-0000-4000-8000-0000000000bb" };
    const results = await Promise.allSettled(
      Array.from({ length: BURST }, (_, i) => purgeConnection(caller, { ...target, password: `wrong guess ${i}` })),
    );
    expect(results.every((r) => r.status === "rejected")).toBe(true);
    expect(calls.password).toBeLessThanOrEqual(MAX_FAILURES_PER_ACCOUNT);
    // The same account limit as sign-in: the right password at the sign-in form is refused now.
    expect(await verifySignIn({ email: p.email, password: p.password }, { ip: "192.0.2.2", userAgent: "x" })).toEqual({
      ok: false,
      reason: "throttled",
    });
    const [row] = await t.db.select().from(signInThrottle).where(eq(signInThrottle.key, `account:${p.email}`));
    expect(row?.failures).toBeGreaterThanOrEqual(MAX_FAILURES_PER_ACCOUNT);
  });
});
