import "server-only";

// Credentials sign-in, independent of next-auth so it can be tested directly. Every outcome is audited; every
// failure answers the same way whether or not the account exists (SECURITY.md AUTH-2).
import { eq } from "drizzle-orm";
import { z } from "zod";

import { recordAudit } from "@/lib/audit";
import type { RequestMeta } from "@/lib/audit/request-meta";
import { getDb } from "@/lib/db";
import { staff } from "@/lib/db/schema";
import { env } from "@/lib/env";
import { recordSignInFailure } from "@/lib/observability/metrics";

import { isBreakGlass, ssoOnly } from "./auth-mode";
import { verifyPassword } from "./password";
import { isRole } from "./policy";
import { isEnrolled } from "./second-factor";
import { secondFactorNeed } from "./second-factor-rule";
import { passwordKeys, passwordSucceeded, reserveAttempt } from "./throttle";

export const signInSchema = z.object({
  email: z.string().trim().toLowerCase().max(254).email(),
  password: z.string().min(1).max(1024),
});

export type SignInResult =
  | { ok: true; staffId: string }
  | { ok: false; reason: "invalid" | "throttled" | "sso-only" };

export async function verifySignIn(input: unknown, meta: RequestMeta): Promise<SignInResult> {
  const parsed = signInSchema.safeParse(input);
  if (!parsed.success) {
    await verifyPassword("", null); // same time as a real attempt
    return { ok: false, reason: "invalid" };
  }
  const { email, password } = parsed.data;
  const actor = { id: null, email, role: null };

  // Reserved before the password is checked (one atomic statement): a burst cannot outrun the limit.
  if (!(await reserveAttempt(passwordKeys(email, meta.ip)))) {
    await recordAudit({ actor, action: "auth.sign_in", outcome: "denied", details: { reason: "throttled" }, meta });
    recordSignInFailure("throttled");
    return { ok: false, reason: "throttled" };
  }

  const db = await getDb();
  const [row] = await db.select().from(staff).where(eq(staff.email, email)).limit(1);

  // SSO-only mode (issue 19): no password is even checked, except the break-glass admin's.
  if (!isBreakGlass(email) && (await ssoOnly())) {
    await verifyPassword("", null); // same time as a real attempt
    await recordAudit({
      actor: row ? { id: row.id, email, role: row.role } : actor,
      action: "auth.sign_in",
      outcome: "denied",
      details: { reason: "sso-only", method: "password" },
      meta,
    });
    return { ok: false, reason: "sso-only" };
  }
  const passwordOk = await verifyPassword(password, row?.passwordHash);

  let failure: string | null = null;
  if (!row || !passwordOk) failure = "bad-credentials";
  else if (row.status !== "active") failure = "disabled";
  else if (!isRole(row.role)) failure = "waiting-for-role";
  else if (row.isDemo && env().basiq.mode === "live") failure = "demo-account-in-live-mode";
  else if (row.passwordExpiresAt && row.passwordExpiresAt.getTime() <= Date.now()) failure = "password-expired";
  else if (isBreakGlass(email) && (await ssoOnly()) && (row.role !== "admin" || !(await isEnrolled(row.id)))) {
    // The break-glass account must be an admin with TOTP: a password alone never opens an SSO-only console.
    failure = "break-glass-without-totp";
  }

  if (failure || !row) {
    // Already counted by the reservation.
    await recordAudit({
      actor: row ? { id: row.id, email, role: row.role } : actor,
      action: "auth.sign_in",
      outcome: "failure",
      details: { reason: failure },
      meta,
    });
    recordSignInFailure(failure ?? "bad-credentials");
    return { ok: false, reason: "invalid" };
  }

  await passwordSucceeded(email, meta.ip);
  await db.update(staff).set({ lastSignInAt: new Date() }).where(eq(staff.id, row.id));
  // Password right but a second factor still owed: a half-finished sign-in, audited as such (the factor's own
  // auth.second_factor.* event completes it), not as a successful sign-in.
  const owed = isRole(row.role) ? secondFactorNeed(row.role, await isEnrolled(row.id), false) : "none";
  await recordAudit({
    actor: { id: row.id, email, role: row.role },
    action: "auth.sign_in",
    ...(owed === "none"
      ? { outcome: "success" as const }
      : { outcome: "requested" as const, details: { secondFactor: "pending", step: owed === "enrol" ? "enrol" : "verify" } }),
    meta,
  });
  return { ok: true, staffId: row.id };
}
