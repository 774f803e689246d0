// Server-side sessions and the second-factor rule against a real database, through the real session module with
// only the cookie (identity) and the clock replaced: idle and absolute limits, revocation, password reset and
// disabling, and "a session owing its second factor gets nothing".
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";

import type { SessionIdentity } from "@/lib/auth/identity";
import type { TestDatabase } from "@/test/db";

let identity: SessionIdentity | null = null;
vi.mock("@/lib/auth/identity", () => ({ getSessionIdentity: async () => identity }));
vi.mock("next/cache", () => ({ revalidatePath: () => {} }));

const { createTestDatabase } = await import("@/test/db");
const { useDatabaseForTests } = await import("@/lib/db/client");
const { auditEvents, staff, staffSessions } = await import("@/lib/db/schema");
const { createStaff } = await import("@/lib/staff/accounts");
const sessions = await import("./server-sessions");
const { getSessionState, getCurrentStaff, requirePermission, secondFactorNeed } = await import("./session");
const { startEnrolment, confirmEnrolment } = await import("./second-factor");
const { totp } = await import("./totp");
const { resetStaffPassword, setStaffStatus } = await import("@/lib/dal/staff");
const { createStaffAction } = await import("@/app/(console)/staff/actions");
const { SecondFactorRequiredError, UnauthenticatedError } = await import("@/lib/errors");

const { SESSION_IDLE_MS, SESSION_ABSOLUTE_MS, createSession, revokeSession } = sessions;
const MIN = 60_000;
const meta = { ip: "198.51.100.7", userAgent: "vitest" };

let t: TestDatabase;
let clock = new Date("2026-11-24T09:00:00Z");
const ids = { admin: "", support: "", staff: "" };

function advance(ms: number) {
  clock = new Date(clock.getTime() + ms);
}

async function signIn(staffId: string): Promise<SessionIdentity> {
  identity = { staffId, sessionId: await createSession(staffId, meta, clock) };
  return identity;
}

async function row(sessionId: string) {
  const [r] = await t.db.select().from(staffSessions).where(eq(staffSessions.id, sessionId));
  return r!;
}

/** An admin session with its second factor verified (enrolled through the real code path). */
async function signInAdminVerified(): Promise<SessionIdentity> {
  const who = await signIn(ids.admin);
  const owner = { id: ids.admin, email: "admin@corp.example", role: "admin" };
  const { secret } = await startEnrolment(owner, who.sessionId).catch(() => ({ secret: "" }));
  if (secret) {
    expect(await confirmEnrolment(owner, who.sessionId, totp(secret, clock.getTime()), meta, clock)).toMatchObject({ ok: true });
  } else {
    await sessions.markSecondFactorVerified(who.sessionId, clock);
  }
  return who;
}

beforeAll(async () => {
  t = await createTestDatabase();
  useDatabaseForTests(t.db);
  sessions.useSessionClockForTests(() => clock);
  for (const role of ["admin", "support", "staff"] as const) {
    ({ id: ids[role] } = await createStaff(t.db, { email: `${role}@corp.example`, name: role, role, password: "a good long password" }));
  }
});
afterAll(async () => {
  await t?.close();
});
beforeEach(() => {
  identity = null;
  advance(60 * MIN);
});

describe("idle and absolute limits", () => {
  it("29 minutes idle: still signed in; 31 minutes idle: signed out, and the row is revoked as idle", async () => {
    const who = await signIn(ids.staff);
    advance(29 * MIN);
    expect(await getCurrentStaff()).toMatchObject({ id: ids.staff, sessionId: who.sessionId });
    advance(31 * MIN);
    expect(await getCurrentStaff()).toBeNull();
    await expect(requirePermission("users.read")).rejects.toBeInstanceOf(UnauthenticatedError);
    expect(await row(who.sessionId)).toMatchObject({ revokedReason: "idle" });
    // Dead for good: going back in time (or a rule change) does not revive it.
    clock = new Date(clock.getTime() - 31 * MIN);
    expect(await getCurrentStaff()).toBeNull();
    advance(31 * MIN);
  });

  it("exactly at the idle limit is still in; a millisecond over is out", async () => {
    const who = await signIn(ids.staff);
    advance(SESSION_IDLE_MS);
    expect(await sessions.checkSession(who.sessionId, ids.staff, clock)).toMatchObject({ ok: true });
    advance(SESSION_IDLE_MS + 1);
    expect(await sessions.checkSession(who.sessionId, ids.staff, clock)).toEqual({ ok: false, reason: "idle" });
  });

  it("activity keeps a session alive, but never past 12 hours after sign-in", async () => {
    const who = await signIn(ids.support);
    const started = clock.getTime();
    while (clock.getTime() - started + 20 * MIN <= SESSION_ABSOLUTE_MS) {
      advance(20 * MIN);
      expect(await getCurrentStaff()).toMatchObject({ id: ids.support });
    }
    advance(20 * MIN); // active all along, now past 12 h
    expect(await getCurrentStaff()).toBeNull();
    expect(await row(who.sessionId)).toMatchObject({ revokedReason: "expired" });
  });

  it("writes last_seen_at at most once a minute", async () => {
    const who = await signIn(ids.staff);
    const first = (await row(who.sessionId)).lastSeenAt.getTime();
    advance(30_000);
    await getCurrentStaff();
    expect((await row(who.sessionId)).lastSeenAt.getTime()).toBe(first);
    advance(31_000);
    await getCurrentStaff();
    expect((await row(who.sessionId)).lastSeenAt.getTime()).toBe(clock.getTime());
  });
});

describe("revocation", () => {
  it("a revoked (signed-out) session is out", async () => {
    const who = await signIn(ids.staff);
    expect(await getCurrentStaff()).not.toBeNull();
    await revokeSession(who.sessionId, "sign-out", clock);
    expect(await getCurrentStaff()).toBeNull();
    expect(await row(who.sessionId)).toMatchObject({ revokedReason: "sign-out" });
  });

  it("a cookie naming someone else's session, or no session, is out", async () => {
    const who = await signIn(ids.staff);
    identity = { staffId: ids.support, sessionId: who.sessionId };
    expect(await getSessionState()).toEqual({ status: "anonymous" });
    identity = { staffId: ids.staff, sessionId: sessions.newSessionId() };
    expect(await getSessionState()).toEqual({ status: "anonymous" });
  });

  it("a password reset ends every session of that person, and only theirs", async () => {
    const a = await signIn(ids.support);
    const b = await signIn(ids.support);
    const bystander = await signIn(ids.staff);
    const admin = await signInAdminVerified();
    await resetStaffPassword({ staffId: ids.support });
    expect((await row(a.sessionId)).revokedReason).toBe("password-reset");
    expect((await row(b.sessionId)).revokedReason).toBe("password-reset");
    identity = a;
    expect(await getCurrentStaff()).toBeNull();
    identity = bystander;
    expect(await getCurrentStaff()).toMatchObject({ id: ids.staff });
    identity = admin;
    expect(await getCurrentStaff()).toMatchObject({ id: ids.admin });
    const [event] = await t.db.select().from(auditEvents).where(eq(auditEvents.action, "staff.password_reset"));
    expect(event?.details).toMatchObject({ staffId: ids.support, sessionsEnded: 2 });
    await t.db.update(staff).set({ passwordChangeRequired: false }).where(eq(staff.id, ids.support)); // as if changed
  });

  it("admins resetting their own password keep the session they are using and lose the others", async () => {
    const other = await signInAdminVerified();
    const current = await signInAdminVerified();
    await resetStaffPassword({ staffId: ids.admin });
    expect((await row(other.sessionId)).revokedAt).not.toBeNull();
    expect((await row(current.sessionId)).revokedAt).toBeNull();
    // Kept, but the generated password is one-time: this session must replace it before anything else.
    expect(await getSessionState()).toMatchObject({ status: "password-change", staff: { id: ids.admin } });
    await t.db.update(staff).set({ passwordChangeRequired: false }).where(eq(staff.id, ids.admin)); // as if changed
    expect(await getCurrentStaff()).toMatchObject({ id: ids.admin });
  });

  it("disabling ends every session of that person", async () => {
    const s = await signIn(ids.staff);
    await signInAdminVerified();
    await setStaffStatus({ staffId: ids.staff, status: "disabled" });
    expect((await row(s.sessionId)).revokedReason).toBe("disabled");
    await setStaffStatus({ staffId: ids.staff, status: "active" });
    identity = s;
    expect(await getCurrentStaff()).toBeNull();
  });
});

describe("the second-factor rule", () => {
  it("table: verified → complete; enrolled → verify; admin without → enrol; others without → complete", () => {
    for (const role of ["staff", "support", "admin"] as const) {
      expect(secondFactorNeed(role, true, true)).toBe("none");
      expect(secondFactorNeed(role, false, true)).toBe("none");
      expect(secondFactorNeed(role, true, false)).toBe("verify");
    }
    expect(secondFactorNeed("admin", false, false)).toBe("enrol");
    expect(secondFactorNeed("support", false, false)).toBe("none");
    expect(secondFactorNeed("staff", false, false)).toBe("none");
  });

  it("an admin who has not enrolled gets nothing: no caller, no permission, actions refused with a clear message", async () => {
    const [newAdmin] = await t.db
      .insert(staff)
      .values({ email: "fresh-admin@corp.example", name: "Fresh", role: "admin" })
      .returning();
    await signIn(newAdmin!.id);
    expect(await getSessionState()).toMatchObject({ status: "second-factor", need: "enrol", staff: { id: newAdmin!.id } });
    expect(await getCurrentStaff()).toBeNull();
    await expect(requirePermission("staff.manage")).rejects.toBeInstanceOf(SecondFactorRequiredError);
    await expect(requirePermission("users.read")).rejects.toBeInstanceOf(UnauthenticatedError); // fail closed for old checks
    const before = (await t.db.select().from(auditEvents)).length;
    expect(await createStaffAction({ name: "Eve", email: "eve@corp.example", role: "admin" })).toEqual({
      ok: false,
      message: "Complete the second factor first.",
    });
    expect((await t.db.select().from(auditEvents)).length).toBe(before);
  });

  it("a support member without a factor is complete; once enrolled, a new sign-in must verify", async () => {
    const first = await signIn(ids.support);
    expect(await getSessionState()).toMatchObject({ status: "complete", secondFactor: "not-enrolled" });
    const owner = { id: ids.support, email: "support@corp.example", role: "support" };
    const { secret } = await startEnrolment(owner, first.sessionId);
    expect(await confirmEnrolment(owner, first.sessionId, totp(secret, clock.getTime()), meta, clock)).toMatchObject({ ok: true });
    expect(await getSessionState()).toMatchObject({ status: "complete", secondFactor: "verified" });
    await signIn(ids.support);
    expect(await getSessionState()).toMatchObject({ status: "second-factor", need: "verify" });
    await expect(requirePermission("users.read")).rejects.toBeInstanceOf(SecondFactorRequiredError);
  });

  it("promoting someone without a factor to admin makes their open session owe enrolment on its next request", async () => {
    await signIn(ids.staff);
    expect(await getCurrentStaff()).toMatchObject({ role: "staff" });
    await t.db.update(staff).set({ role: "admin" }).where(eq(staff.id, ids.staff));
    expect(await getSessionState()).toMatchObject({ status: "second-factor", need: "enrol" });
    await t.db.update(staff).set({ role: "staff" }).where(eq(staff.id, ids.staff));
  });
});
