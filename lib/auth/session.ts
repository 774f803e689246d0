import "server-only";

// The caller of this request and the checks every page, action, route handler and data-access function makes.
// Each request: the cookie names a server-side session (lib/auth/server-sessions.ts: revoked, 12 h absolute and
// 30 min idle limits), the staff row is re-read (SECURITY.md SES-2), and the second-factor rule below decides
// whether the session is complete (AUTH-3). Only a complete session is a caller; any failure denies (AZ-5).
import { cache } from "react";

import { ForbiddenError, PasswordChangeRequiredError, SecondFactorRequiredError, UnauthenticatedError } from "@/lib/errors";

import { getSessionIdentity } from "./identity";
import { secondFactorNeed } from "./second-factor-rule";
import { can, isRole, permissionList, type Permission, type Role } from "./policy";
import { checkSessionAndStaff, sessionClock } from "./server-sessions";

export interface CurrentStaff {
  id: string;
  email: string;
  name: string;
  role: Role;
  /** When this session signed in (with the password). */
  signedInAt: number;
  /** The server-side session of this request (absent only in test stand-ins). */
  sessionId?: string;
}

export type SessionState =
  | { status: "anonymous" }
  /** Password accepted; the second factor is owed: "enrol" (must set one up first) or "verify" (enter a code). */
  | { status: "second-factor"; need: "enrol" | "verify"; staff: CurrentStaff }
  /** Signed in (second factor done) with a generated one-time password: it must be changed before anything else. */
  | { status: "password-change"; staff: CurrentStaff }
  | { status: "complete"; staff: CurrentStaff; secondFactor: "verified" | "not-enrolled" };

export { secondFactorNeed };

export const getSessionState = cache(async (): Promise<SessionState> => {
  const identity = await getSessionIdentity();
  if (!identity) return { status: "anonymous" };
  // One statement: the session row, the staff row and whether a second factor is enrolled (cache(): once a request).
  const { check: checked, staff: row, enrolled } = await checkSessionAndStaff(
    identity.sessionId,
    identity.staffId,
    sessionClock.now(),
  );
  if (!checked.ok) return { status: "anonymous" };
  if (!row || row.status !== "active" || !isRole(row.role)) return { status: "anonymous" };
  const current: CurrentStaff = {
    id: row.id,
    email: row.email,
    name: row.name,
    role: row.role,
    signedInAt: checked.session.createdAt.getTime(),
    sessionId: checked.session.id,
  };
  const verified = checked.session.secondFactorAt !== null;
  // Verified in this session: enrolled by definition (an admin's reset of the second factor revokes the session).
  const need = secondFactorNeed(row.role, verified || enrolled, verified);
  if (need !== "none") return { status: "second-factor", need, staff: current };
  if (row.passwordChangeRequired) return { status: "password-change", staff: current };
  return { status: "complete", staff: current, secondFactor: verified ? "verified" : "not-enrolled" };
});

/** The caller of a complete session, or null (anonymous, expired, disabled, or second factor still owed). */
export async function getCurrentStaff(): Promise<CurrentStaff | null> {
  const state = await getSessionState();
  return state.status === "complete" ? state.staff : null;
}

export async function requireStaff(): Promise<CurrentStaff> {
  const state = await getSessionState();
  if (state.status === "second-factor") throw new SecondFactorRequiredError(state.need);
  if (state.status === "password-change") throw new PasswordChangeRequiredError();
  if (state.status !== "complete") throw new UnauthenticatedError();
  return state.staff;
}

/**
 * The caller, if allowed `permission`. A session that must change its one-time password is allowed
 * `account.password` only: every other page, action, route and data-access function refuses it.
 */
/**
 * Who may attempt something that needs `permission`: a complete session, or — for `account.password` only — one
 * signed in with a one-time password that must be changed first. Throws like requireStaff otherwise. The
 * permission itself is not checked here (defineAction audits that refusal under the action's name).
 */
export async function callerFor(permission: Permission): Promise<CurrentStaff> {
  const state = permission === "account.password" ? await getSessionState() : null;
  return state?.status === "password-change" ? state.staff : requireStaff();
}

export async function requirePermission(permission: Permission): Promise<CurrentStaff> {
  const current = await callerFor(permission);
  if (!can(current.role, permission)) throw new ForbiddenError(permission);
  return current;
}

/** Server-computed capability flags for the UI (hiding a button is UX only; the server re-checks). */
export function capabilities(role: Role): Record<Permission, boolean> {
  return Object.fromEntries(permissionList.map((p) => [p, can(role, p)])) as Record<Permission, boolean>;
}
