import "server-only";

// OIDC sign-in (issue 19), independent of next-auth so it can be tested directly: the claims of an ID token that
// next-auth has already verified (signature, issuer, audience, expiry, nonce, state, PKCE) decide who this is and
// what they may do. Every outcome is audited.
//  - A staff row is linked to (issuer, sub). An unlinked person is matched once by verified e-mail (an existing
//    or invited account), then linked.
//  - Nobody else gets in, unless OIDC_ALLOWED_DOMAINS names their verified e-mail's domain: then a row is created
//    without a role ("waiting for an administrator"), or with the role OIDC_ROLE_MAP gives their groups.
//  - OIDC_ROLE_CLAIM + OIDC_ROLE_MAP set the role at every sign-in: a mapped group wins over a role set by hand;
//    losing every mapped group removes a role that came from the map (not one set by hand).
import { and, eq, gt, isNull, sql } from "drizzle-orm";

import { recordAudit, type AuditActor } from "@/lib/audit";
import type { RequestMeta } from "@/lib/audit/request-meta";
import { getDb } from "@/lib/db";
import { staff, staffInvitations } from "@/lib/db/schema";
import { env, type OidcConfig } from "@/lib/env";

import { amrIsMultiFactor } from "./oidc-amr";
import { roles, type Role } from "./policy";

export interface OidcClaims {
  iss: string;
  sub: string;
  email?: unknown;
  email_verified?: unknown;
  name?: unknown;
  amr?: unknown;
  [claim: string]: unknown;
}

export type OidcSignInResult =
  | { ok: true; staffId: string; role: Role; secondFactorByIdp: boolean }
  | { ok: false; reason: "unknown-person" | "waiting" | "disabled" | "invalid-claims" };

const RANK: Record<Role, number> = { staff: 0, support: 1, admin: 2 };

/** The role OIDC_ROLE_MAP gives these claims (the highest of the mapped groups), or null when none is mapped. */
export function mappedRole(claims: Record<string, unknown>, config: Pick<OidcConfig, "roleClaim" | "roleMap">): Role | null {
  if (!config.roleClaim) return null;
  const raw = claims[config.roleClaim];
  const groups = Array.isArray(raw) ? raw.filter((g): g is string => typeof g === "string") : typeof raw === "string" ? [raw] : [];
  let best: Role | null = null;
  for (const g of groups) {
    const role = Object.hasOwn(config.roleMap, g) ? config.roleMap[g] : undefined;
    if (role && (best === null || RANK[role] > RANK[best])) best = role;
  }
  return best;
}

/** The verified, normalised e-mail of these claims, or null. */
export function verifiedEmail(claims: OidcClaims): string | null {
  if (claims.email_verified !== true || typeof claims.email !== "string") return null;
  const email = claims.email.trim().toLowerCase();
  return /^[^\s@]{1,64}@[^\s@]{1,189}$/.test(email) ? email : null;
}

export function domainAllowed(email: string, allowed: readonly string[]): boolean {
  const domain = email.slice(email.lastIndexOf("@") + 1);
  return allowed.includes(domain);
}

function displayName(claims: OidcClaims, email: string): string {
  const name = typeof claims.name === "string" ? claims.name.replace(/[\u0000-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/g, "").trim() : "";
  return (name || email).slice(0, 120);
}

export async function resolveOidcSignIn(claims: OidcClaims, meta: RequestMeta, now = new Date()): Promise<OidcSignInResult> {
  const config = env().oidc;
  const action = "auth.sign_in";
  const anonymous: AuditActor = { id: null, email: null, role: null };
  if (!config || typeof claims.sub !== "string" || !claims.sub || claims.sub.length > 255 || claims.iss !== config.issuer) {
    await recordAudit({ actor: anonymous, action, outcome: "failure", details: { method: "oidc", reason: "invalid-claims" }, meta });
    return { ok: false, reason: "invalid-claims" };
  }
  const email = verifiedEmail(claims);
  const mapped = mappedRole(claims, config);
  const db = await getDb();

  let [row] = await db
    .select()
    .from(staff)
    .where(and(eq(staff.oidcIssuer, config.issuer), eq(staff.oidcSubject, claims.sub)))
    .limit(1);
  let linked = false;
  let created = false;
  let invitedRole: Role | null = null;
  if (!row && email) {
    // First SSO sign-in of an existing (or invited) account: linked by verified e-mail, once.
    const [byEmail] = await db
      .update(staff)
      .set({ oidcIssuer: config.issuer, oidcSubject: claims.sub, updatedAt: now })
      .where(and(eq(staff.email, email), isNull(staff.oidcSubject)))
      .returning();
    if (byEmail) {
      row = byEmail;
      linked = true;
    }
  }
  if (!row && email) {
    // A pending invitation for this verified e-mail: the invited role, and the invitation is used up.
    const [invitation] = await db
      .update(staffInvitations)
      .set({ usedAt: now })
      .where(and(eq(staffInvitations.email, email), isNull(staffInvitations.usedAt), gt(staffInvitations.expiresAt, now)))
      .returning();
    if (invitation) invitedRole = invitation.role;
    if (invitedRole || domainAllowed(email, config.allowedDomains)) {
      const role = mapped ?? invitedRole;
      const [inserted] = await db
        .insert(staff)
        .values({
          email,
          name: displayName(claims, email),
          role,
          roleFromIdp: mapped !== null,
          oidcIssuer: config.issuer,
          oidcSubject: claims.sub,
        })
        .onConflictDoNothing()
        .returning();
      if (inserted) {
        row = inserted;
        created = true;
        if (invitation) await db.update(staffInvitations).set({ staffId: inserted.id }).where(eq(staffInvitations.id, invitation.id));
      }
    }
  }
  if (!row) {
    await recordAudit({
      actor: { id: null, email, role: null },
      action,
      outcome: "failure",
      details: { method: "oidc", reason: email ? "unknown-person" : "no-verified-email" },
      meta,
    });
    return { ok: false, reason: "unknown-person" };
  }

  const actor = (role: string | null): AuditActor => ({ id: row!.id, email: row!.email, role });
  if (created) {
    await recordAudit({
      actor: actor(row.role),
      action: "staff.create",
      outcome: "success",
      details: { staffId: row.id, email: row.email, role: row.role, source: invitedRole ? "invitation-sso" : "sso-allowed-domain", roleFromIdp: mapped !== null },
      meta,
    });
  }
  if (linked) {
    await recordAudit({ actor: actor(row.role), action: "auth.sso_linked", outcome: "success", details: { staffId: row.id }, meta });
  }

  // The mapping decides at every sign-in: a mapped group wins over a role set by hand; with no mapped group, a
  // role that came from the map is removed (the person left the group), one set by hand stays.
  if (!created && config.roleClaim) {
    const next: Role | null = mapped ?? (row.roleFromIdp ? null : row.role);
    const fromIdp = mapped !== null;
    if (next !== row.role || fromIdp !== row.roleFromIdp) {
      await db.update(staff).set({ role: next, roleFromIdp: fromIdp, updatedAt: now }).where(eq(staff.id, row.id));
      if (next !== row.role) {
        await recordAudit({
          actor: actor(row.role),
          action: "staff.role_mapped",
          outcome: "success",
          details: { staffId: row.id, email: row.email, from: row.role, to: next, claim: config.roleClaim, overrodeHandSetRole: !row.roleFromIdp },
          meta,
        });
      }
      row = { ...row, role: next, roleFromIdp: fromIdp };
    }
  }

  if (row.status !== "active") {
    await recordAudit({ actor: actor(row.role), action, outcome: "failure", details: { method: "oidc", reason: "disabled" }, meta });
    return { ok: false, reason: "disabled" };
  }
  const role = row.role;
  if (!role || !(roles as readonly string[]).includes(role)) {
    await recordAudit({ actor: actor(null), action, outcome: "denied", details: { method: "oidc", reason: "waiting-for-role" }, meta });
    return { ok: false, reason: "waiting" };
  }
  const secondFactorByIdp = amrIsMultiFactor(claims.amr) === true;
  await db.update(staff).set({ lastSignInAt: now }).where(eq(staff.id, row.id));
  await recordAudit({
    actor: actor(role),
    action,
    // An admin whose IdP did not report several factors still owes the console's TOTP (lib/auth/oidc-amr.ts).
    ...(role === "admin" && !secondFactorByIdp
      ? { outcome: "requested" as const, details: { method: "oidc", secondFactor: "pending", amr: "single-factor" } }
      : { outcome: "success" as const, details: { method: "oidc", secondFactorByIdp } }),
    meta,
  });
  return { ok: true, staffId: row.id, role, secondFactorByIdp };
}

/** Number of staff rows waiting for a role (the Staff page's notice). */
export async function waitingCount(): Promise<number> {
  const db = await getDb();
  const [r] = await db.select({ n: sql<number>`count(*)::int` }).from(staff).where(isNull(staff.role));
  return r?.n ?? 0;
}
