// Issue 14 item 11: the session id changes when the second factor completes. Before, the session row (and the
// cookie naming it) that existed with only the password accepted became the fully verified one, so an id
// learnt before the second factor (a fixated or leaked cookie) was worth a complete session afterwards.
import { eq } from "drizzle-orm";
import { encode, decode } from "next-auth/jwt";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";

import type { TestDatabase } from "@/test/db";

const jar = new Map<string, { value: string; options?: Record<string, unknown> }>();
vi.mock("next/headers", () => ({
  headers: async () => new Headers({ origin: "http://console.test", host: "console.test", "user-agent": "vitest" }),
  cookies: async () => ({
    get: (name: string) => (jar.has(name) ? { name, value: jar.get(name)!.value } : undefined),
    set: (name: string, value: string, options?: Record<string, unknown>) => void jar.set(name, { value, options }),
  }),
}));

const { createTestDatabase } = await import("@/test/db");
const { useDatabaseForTests } = await import("@/lib/db/client");
const { staffSessions } = await import("@/lib/db/schema");
const { env } = await import("@/lib/env");
const { createStaff } = await import("@/lib/staff/accounts");
const { createSession, checkSession } = await import("./server-sessions");
const sf = await import("./second-factor");
const { verifyCodeFromForm } = await import("./second-factor-actions");
const { totp } = await import("./totp");

const COOKIE = "authjs.session-token";
let t: TestDatabase;

async function signedInWithPassword(staffId: string): Promise<string> {
  const sessionId = await createSession(staffId, { ip: null, userAgent: null });
  jar.clear();
  jar.set(COOKIE, { value: await encode({ token: { sub: staffId, sid: sessionId }, secret: env().authSecret, salt: COOKIE }) });
  return sessionId;
}

async function cookieSid(): Promise<string | undefined> {
  const token = await decode({ token: jar.get(COOKIE)!.value, secret: env().authSecret, salt: COOKIE });
  return token?.sid as string | undefined;
}

function form(code: string): FormData {
  const f = new FormData();
  f.set("code", code);
  return f;
}

beforeAll(async () => {
  t = await createTestDatabase();
  useDatabaseForTests(t.db);
});
afterAll(async () => {
  await t?.close();
});

describe("the session id is replaced when the second factor completes", () => {
  it("at verification: a new session id in the cookie, the pre-verification id revoked, sign-in time kept", async () => {
    const { id } = await createStaff(t.db, { email: "rot1@corp.example", name: "R", role: "support", password: "a good long password" });
    const owner = { id, email: "rot1@corp.example", role: "support" };
    // Enrol (through the library), then a fresh sign-in that owes the code.
    const first = await createSession(id, { ip: null, userAgent: null });
    const { secret } = await sf.startEnrolment(owner, first);
    const now = Date.now();
    expect(await sf.confirmEnrolment(owner, first, totp(secret, now - 30_000), undefined, new Date(now - 30_000))).toMatchObject({ ok: true });
    const before = await signedInWithPassword(id);
    const [beforeRow] = await t.db.select().from(staffSessions).where(eq(staffSessions.id, before));

    expect(await verifyCodeFromForm(form(totp(secret, now)))).toMatchObject({ done: true, message: null });

    const after = await cookieSid();
    expect(after).toBeDefined();
    expect(after).not.toBe(before);
    expect(jar.get(COOKIE)!.options).toMatchObject({ httpOnly: true, sameSite: "lax", path: "/" });
    expect(await checkSession(before, id)).toMatchObject({ ok: false });
    const check = await checkSession(after!, id);
    expect(check).toMatchObject({ ok: true });
    if (check.ok) {
      expect(check.session.secondFactorAt).not.toBeNull();
      expect(check.session.createdAt.getTime()).toBe(beforeRow!.createdAt.getTime()); // the 12 h limit still counts from sign-in
    }
  });
});
