import "server-only";

// Invitations (issue 19), replacing one-time passwords passed on by hand: an admin invites an e-mail with a role;
// the invitee gets a single-use link, valid 72 hours, to set a password (and enrol TOTP), or to sign in with SSO
// when it is configured (lib/auth/oidc-sign-in.ts takes a pending invitation for the verified e-mail).
// The token is 256 random bits, carried in the link's #fragment (never sent in a request line, so no access log
// or proxy sees it), stored only as its SHA-256, and never audited or logged.
import { createHash, randomBytes } from "node:crypto";

import { and, eq, gt, isNull } from "drizzle-orm";
import { z } from "zod";

import { recordAudit } from "@/lib/audit";
import type { RequestMeta } from "@/lib/audit/request-meta";
import { ssoOnly } from "@/lib/auth/auth-mode";
import { checkPasswordStrength } from "@/lib/auth/password-strength";
import { roles, type Role } from "@/lib/auth/policy";
import { requirePermission } from "@/lib/auth/session";
import { getDb } from "@/lib/db";
import { staff, staffInvitations } from "@/lib/db/schema";
import { env } from "@/lib/env";
import { sendMail } from "@/lib/mail";
import { createStaff, DuplicateStaffEmailError, newStaffSchema } from "@/lib/staff/accounts";

export const INVITATION_TTL_MS = 72 * 60 * 60_000;
export const INVITATION_PATH = "/invitation";

export const inviteSchema = z.object({
  email: newStaffSchema.shape.email,
  role: z.enum(roles, { message: `must be one of ${roles.join(", ")}` }),
});

/** 43 base64url characters: the only token shape ever looked up. */
export const invitationTokenSchema = z.string().regex(/^[A-Za-z0-9_-]{43}$/);

export const acceptInvitationSchema = z.object({
  token: invitationTokenSchema,
  name: newStaffSchema.shape.name,
  password: newStaffSchema.shape.password,
});

export function hashInvitationToken(token: string): string {
  return createHash("sha256").update(`staff-invitation:${token}`, "utf8").digest("base64url");
}

export function invitationLink(origin: string, token: string): string {
  return `${origin}${INVITATION_PATH}#${token}`;
}

export interface InvitationSent {
  email: string;
  role: Role;
  expiresAt: string;
  /** How the link reached the invitee: by mail, or shown once to the admin (no SMTP, or the mail failed). */
  delivery: "mail" | "shown";
  /** Only when delivery is "shown": the link, this once. */
  link: string | null;
}

/** Invites `email` as `role` (admins only). `origin`: the console's address as the admin's browser sees it. */
export async function inviteStaff(raw: unknown, origin: string, now = new Date()): Promise<InvitationSent> {
  const caller = await requirePermission("staff.manage");
  const { email, role } = inviteSchema.parse(raw);
  const db = await getDb();
  const [existing] = await db.select({ id: staff.id }).from(staff).where(eq(staff.email, email)).limit(1);
  if (existing) throw new DuplicateStaffEmailError(email);
  // A new invitation replaces any pending one for the same address (its link stops working).
  await db
    .update(staffInvitations)
    .set({ expiresAt: now })
    .where(and(eq(staffInvitations.email, email), isNull(staffInvitations.usedAt), gt(staffInvitations.expiresAt, now)));
  const token = randomBytes(32).toString("base64url");
  const expiresAt = new Date(now.getTime() + INVITATION_TTL_MS);
  await db.insert(staffInvitations).values({ email, role, tokenHash: hashInvitationToken(token), invitedBy: caller.id, createdAt: now, expiresAt });
  const link = invitationLink(origin, token);
  const sso = env().oidc;
  const mail = await sendMail({
    to: email,
    subject: "Your invitation to the Basiq console",
    text: [
      `${caller.name || caller.email} has invited you to the Basiq console as ${role}.`,
      "",
      `Open this link to ${sso ? `sign in with ${sso.displayName}` : "choose your password and set up two-step verification"}:`,
      link,
      "",
      `The link works once and until ${expiresAt.toUTCString()}. If you did not expect it, ignore this e-mail.`,
    ].join("\n"),
  });
  const delivery = mail.sent ? "mail" : "shown";
  await recordAudit({
    actor: { id: caller.id, email: caller.email, role: caller.role },
    action: "staff.invite",
    outcome: "success",
    details: { email, role, delivery, ...(mail.sent ? {} : { mail: mail.reason }), expiresAt: expiresAt.toISOString() },
  });
  return { email, role, expiresAt: expiresAt.toISOString(), delivery, link: mail.sent ? null : link };
}

export interface InvitationView {
  email: string;
  role: Role;
  expiresAt: string;
  /** The password form is offered unless SSO-only mode is on. */
  passwordAllowed: boolean;
  /** "Sign in with …" is offered when SSO is configured. */
  ssoName: string | null;
}

/** What the invitation page shows for a token: null when unknown, used or expired (one answer for all three). */
export async function viewInvitation(token: unknown, now = new Date()): Promise<InvitationView | null> {
  const parsed = invitationTokenSchema.safeParse(token);
  if (!parsed.success) return null;
  const db = await getDb();
  const [row] = await db
    .select()
    .from(staffInvitations)
    .where(and(eq(staffInvitations.tokenHash, hashInvitationToken(parsed.data)), isNull(staffInvitations.usedAt), gt(staffInvitations.expiresAt, now)))
    .limit(1);
  if (!row) return null;
  return {
    email: row.email,
    role: row.role,
    expiresAt: row.expiresAt.toISOString(),
    passwordAllowed: !(await ssoOnly()),
    ssoName: env().oidc?.displayName ?? null,
  };
}

export type AcceptResult = { ok: true; email: string } | { ok: false; message: string; field?: "name" | "password" };

const INVALID_LINK = "This invitation link has expired or was already used. Ask an administrator for a new one.";

/** Sets the invitee's name and password: claims the invitation (single use, in one statement) and creates the row. */
export async function acceptInvitation(raw: unknown, meta: RequestMeta, now = new Date()): Promise<AcceptResult> {
  const parsed = acceptInvitationSchema.safeParse(raw);
  if (!parsed.success) {
    const field = parsed.error.issues[0]?.path[0];
    if (field === "name") return { ok: false, field, message: `Name ${parsed.error.issues[0]!.message}.` };
    if (field === "password") return { ok: false, field, message: "Choose a password of 12 to 1,024 characters." };
    return { ok: false, message: INVALID_LINK };
  }
  const { token, name, password } = parsed.data;
  if (await ssoOnly()) return { ok: false, message: "Passwords are turned off: sign in with single sign-on instead." };
  const hash = hashInvitationToken(token);
  const db = await getDb();
  const [pending] = await db
    .select()
    .from(staffInvitations)
    .where(and(eq(staffInvitations.tokenHash, hash), isNull(staffInvitations.usedAt), gt(staffInvitations.expiresAt, now)))
    .limit(1);
  if (!pending) {
    await recordAudit({ actor: null, action: "staff.invitation_accept", outcome: "failure", details: { reason: "invalid-expired-or-used" }, meta });
    return { ok: false, message: INVALID_LINK };
  }
  const strength = checkPasswordStrength(password, [pending.email, name]);
  if (!strength.ok) return { ok: false, field: "password", message: strength.message };
  // Claimed before the row is created: of two concurrent submissions exactly one gets past this statement.
  const [claimed] = await db
    .update(staffInvitations)
    .set({ usedAt: now })
    .where(and(eq(staffInvitations.id, pending.id), isNull(staffInvitations.usedAt), gt(staffInvitations.expiresAt, now)))
    .returning();
  if (!claimed) {
    await recordAudit({ actor: null, action: "staff.invitation_accept", outcome: "failure", details: { reason: "invalid-expired-or-used" }, meta });
    return { ok: false, message: INVALID_LINK };
  }
  let created: { id: string };
  try {
    created = await createStaff(db, { email: claimed.email, name, role: claimed.role, password });
  } catch (e) {
    if (e instanceof DuplicateStaffEmailError) return { ok: false, message: "An account with this e-mail already exists: sign in instead." };
    throw e;
  }
  await db.update(staffInvitations).set({ staffId: created.id }).where(eq(staffInvitations.id, claimed.id));
  await recordAudit({
    actor: { id: created.id, email: claimed.email, role: claimed.role },
    action: "staff.invitation_accept",
    outcome: "success",
    details: { staffId: created.id, email: claimed.email, role: claimed.role, invitationId: claimed.id },
    meta,
  });
  return { ok: true, email: claimed.email };
}

/** Pending invitations for the Staff page (no token: it is not stored). */
export async function listPendingInvitations(now = new Date()): Promise<{ id: string; email: string; role: Role; expiresAt: string }[]> {
  await requirePermission("staff.manage");
  const db = await getDb();
  const rows = await db
    .select({ id: staffInvitations.id, email: staffInvitations.email, role: staffInvitations.role, expiresAt: staffInvitations.expiresAt })
    .from(staffInvitations)
    .where(and(isNull(staffInvitations.usedAt), gt(staffInvitations.expiresAt, now)))
    .orderBy(staffInvitations.createdAt)
    .limit(200);
  return rows.map((r) => ({ ...r, expiresAt: r.expiresAt.toISOString() }));
}
