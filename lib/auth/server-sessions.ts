import "server-only";

// Server-side sessions (SECURITY.md SES-1): the rules and the only code that reads or writes staff_sessions.
// The session cookie only names a row here; the row decides. Every function takes `now` so tests can move the
// clock; the request path uses sessionClock.
import { randomBytes } from "node:crypto";

import { and, eq, isNull, ne, sql } from "drizzle-orm";

import type { RequestMeta } from "@/lib/audit/request-meta";
import { getDb } from "@/lib/db";
import { staff, staffSecondFactors, staffSessions } from "@/lib/db/schema";

/** Absolute lifetime: signed out 12 h after sign-in, however active. Also the cookie's and the JWT's maxAge. */
export const SESSION_ABSOLUTE_MS = 12 * 60 * 60_000;
/** Idle limit: signed out after 30 min without a request. */
export const SESSION_IDLE_MS = 30 * 60_000;
/** last_seen_at is written at most this often (one write a minute per active session, not one per request). */
export const SESSION_TOUCH_INTERVAL_MS = 60_000;
export const SESSION_MAX_AGE_SECONDS = SESSION_ABSOLUTE_MS / 1000;

/** The clock of the request path; tests replace it (useSessionClockForTests) to prove the limits. */
export const sessionClock = { now: (): Date => new Date() };

export function useSessionClockForTests(now: () => Date): void {
  sessionClock.now = now;
}

export type RevokeReason = "sign-out" | "idle" | "expired" | "password-reset" | "password-change" | "disabled" | "second-factor-reset" | "rotated";

export interface ValidSession {
  id: string;
  staffId: string;
  createdAt: Date;
  secondFactorAt: Date | null;
}

export type SessionCheck = { ok: true; session: ValidSession } | { ok: false; reason: "unknown" | "revoked" | "expired" | "idle" };

export function newSessionId(): string {
  return randomBytes(32).toString("base64url");
}

/**
 * `secondFactorDone`: the identity provider already verified several factors (an OIDC sign-in whose `amr` says
 * so, lib/auth/oidc-amr.ts): the session starts verified. The same idle and absolute limits apply either way.
 */
export async function createSession(
  staffId: string,
  meta: RequestMeta,
  now = sessionClock.now(),
  options: { secondFactorDone?: boolean } = {},
): Promise<string> {
  const id = newSessionId();
  const db = await getDb();
  await db.insert(staffSessions).values({
    id,
    staffId,
    createdAt: now,
    lastSeenAt: now,
    secondFactorAt: options.secondFactorDone ? now : null,
    ip: meta.ip,
    userAgent: meta.userAgent,
  });
  return id;
}

/**
 * The session named by the cookie, if it is still valid at `now`; touches last_seen_at (at most once a minute).
 * An idle or expired session is revoked on the spot, so it stays dead even if the clock or the rules change.
 */
export async function checkSession(sessionId: string, staffId: string, now = sessionClock.now()): Promise<SessionCheck> {
  const db = await getDb();
  const [row] = await db.select().from(staffSessions).where(eq(staffSessions.id, sessionId)).limit(1);
  if (!row || row.staffId !== staffId) return { ok: false, reason: "unknown" };
  return judgeSession(row, now);
}

export interface SessionStaff {
  id: string;
  email: string;
  name: string;
  role: string | null;
  status: string;
  /** Signed in with a one-time password that must be changed first (issue 14 item 7). */
  passwordChangeRequired: boolean;
}

/**
 * checkSession, with the staff row and whether they have a confirmed second factor read in the same statement:
 * the request path's one query for "who is calling" (the session, then the staff row, then the enrolment were
 * three round-trips on every request).
 */
export async function checkSessionAndStaff(
  sessionId: string,
  staffId: string,
  now = sessionClock.now(),
): Promise<{ check: SessionCheck; staff?: SessionStaff; enrolled: boolean }> {
  const db = await getDb();
  const [row] = await db
    .select({
      session: staffSessions,
      staff: { id: staff.id, email: staff.email, name: staff.name, role: staff.role, status: staff.status, passwordChangeRequired: staff.passwordChangeRequired },
      // The same rule as isEnrolled (lib/auth/second-factor.ts): a confirmed second factor.
      enrolled: sql<boolean>`exists (select 1 from ${staffSecondFactors} where ${staffSecondFactors.staffId} = ${staffSessions.staffId} and ${staffSecondFactors.confirmedAt} is not null)`,
    })
    .from(staffSessions)
    .innerJoin(staff, eq(staff.id, staffSessions.staffId))
    .where(eq(staffSessions.id, sessionId))
    .limit(1);
  if (!row || row.session.staffId !== staffId) return { check: { ok: false, reason: "unknown" }, enrolled: false };
  return { check: await judgeSession(row.session, now), staff: row.staff, enrolled: row.enrolled === true };
}

/** The session rules applied to its row: revoked, expired, idle (revoked on the spot), or valid (and touched). */
async function judgeSession(row: typeof staffSessions.$inferSelect, now: Date): Promise<SessionCheck> {
  const db = await getDb();
  if (row.revokedAt) return { ok: false, reason: "revoked" };
  const t = now.getTime();
  if (t - row.createdAt.getTime() > SESSION_ABSOLUTE_MS) {
    await revokeSession(row.id, "expired", now);
    return { ok: false, reason: "expired" };
  }
  if (t - row.lastSeenAt.getTime() > SESSION_IDLE_MS) {
    await revokeSession(row.id, "idle", now);
    return { ok: false, reason: "idle" };
  }
  if (t - row.lastSeenAt.getTime() >= SESSION_TOUCH_INTERVAL_MS) {
    await db.update(staffSessions).set({ lastSeenAt: now }).where(and(eq(staffSessions.id, row.id), isNull(staffSessions.revokedAt)));
  }
  return { ok: true, session: { id: row.id, staffId: row.staffId, createdAt: row.createdAt, secondFactorAt: row.secondFactorAt } };
}

export async function markSecondFactorVerified(sessionId: string, now = sessionClock.now()): Promise<void> {
  const db = await getDb();
  await db.update(staffSessions).set({ secondFactorAt: now, lastSeenAt: now }).where(and(eq(staffSessions.id, sessionId), isNull(staffSessions.revokedAt)));
}

/**
 * Replaces a valid session by a new one with a new id (issue 14 item 11: when the second factor completes, the id
 * that existed with only the password accepted must not become the verified one). The new row keeps the sign-in
 * time (the 12 h limit still counts from the password) and the second-factor time; the old one is revoked as
 * "rotated", in the same transaction. Null when the old session is no longer valid.
 */
export async function rotateSession(sessionId: string, now = sessionClock.now()): Promise<string | null> {
  const db = await getDb();
  return db.transaction(async (tx) => {
    const revoked = await tx
      .update(staffSessions)
      .set({ revokedAt: now, revokedReason: "rotated" })
      .where(and(eq(staffSessions.id, sessionId), isNull(staffSessions.revokedAt)))
      .returning();
    const old = revoked[0];
    if (!old) return null;
    const id = newSessionId();
    await tx.insert(staffSessions).values({
      id,
      staffId: old.staffId,
      createdAt: old.createdAt,
      lastSeenAt: now,
      secondFactorAt: old.secondFactorAt,
      ip: old.ip,
      userAgent: old.userAgent,
    });
    return id;
  });
}

export async function revokeSession(sessionId: string, reason: RevokeReason, now = sessionClock.now()): Promise<void> {
  const db = await getDb();
  await db
    .update(staffSessions)
    .set({ revokedAt: now, revokedReason: reason })
    .where(and(eq(staffSessions.id, sessionId), isNull(staffSessions.revokedAt)));
}

/** Ends every open session of a staff member (password reset, disabling), except optionally the caller's own. */
export async function revokeStaffSessions(
  staffId: string,
  reason: RevokeReason,
  options: { except?: string; now?: Date } = {},
): Promise<number> {
  const db = await getDb();
  const rows = await db
    .update(staffSessions)
    .set({ revokedAt: options.now ?? sessionClock.now(), revokedReason: reason })
    .where(
      and(
        eq(staffSessions.staffId, staffId),
        isNull(staffSessions.revokedAt),
        options.except ? ne(staffSessions.id, options.except) : undefined,
      ),
    )
    .returning({ id: staffSessions.id });
  return rows.length;
}
