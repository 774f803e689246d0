import "server-only";

// TOTP second factor (SECURITY.md AUTH-3): enrolment, verification, recovery codes, throttling and audit.
// The secret is field-encrypted with associated data binding it to (staff_second_factors, secret_enc, staff id);
// recovery codes are kept only as keyed hashes. Single use is enforced in the database: a code's time step must
// be above the last accepted one, and a recovery code row is claimed with `used_at is null` in the same update.
import { createHmac, randomBytes } from "node:crypto";

import { and, count, eq, isNotNull, isNull, lt, or } from "drizzle-orm";

import { recordAudit, type AuditActor } from "@/lib/audit";
import type { RequestMeta } from "@/lib/audit/request-meta";
import { decrypt, encrypt, indexOf } from "@/lib/crypto";
import { getDb } from "@/lib/db";
import { staffRecoveryCodes, staffSecondFactors } from "@/lib/db/schema";
import { env } from "@/lib/env";
import { UserFacingError } from "@/lib/errors";

import { markSecondFactorVerified, sessionClock } from "./server-sessions";
import { clearKeyFailures, reserveAttempt } from "./throttle";
import { base32Encode, matchTotp, otpauthUri } from "./totp";

export const SECOND_FACTOR_MAX_FAILURES = 5; // per account per 15-minute window (lib/auth/throttle.ts)
export const RECOVERY_CODE_COUNT = 10;
export const TOTP_ISSUER = "Basiq console";

export const SECOND_FACTOR_THROTTLED_MESSAGE = "Too many wrong codes. Wait 15 minutes and try again.";

export interface SecondFactorOwner {
  id: string;
  email: string;
  role: string;
}

export interface SecondFactorStatus {
  enrolled: boolean;
  enrolledAt: Date | null;
  recoveryCodesLeft: number;
}

export type VerifyResult =
  | { ok: true; method: "totp" | "recovery-code" }
  | { ok: false; reason: "invalid" | "reused" | "throttled" | "not-enrolled" };

const secretContext = (staffId: string) => ({ table: "staff_second_factors", column: "secret_enc", rowId: staffId });
const throttleKey = (staffId: string) => `second-factor:${staffId}`;
const actorOf = (o: SecondFactorOwner): AuditActor => ({ id: o.id, email: o.email, role: o.role });

/** Whether a confirmed second factor exists for this staff member (one query; used on every request). */
export async function isEnrolled(staffId: string): Promise<boolean> {
  const db = await getDb();
  const [row] = await db
    .select({ n: count() })
    .from(staffSecondFactors)
    .where(and(eq(staffSecondFactors.staffId, staffId), isNotNull(staffSecondFactors.confirmedAt)));
  return (row?.n ?? 0) > 0;
}

export async function secondFactorStatus(staffId: string): Promise<SecondFactorStatus> {
  const db = await getDb();
  const [factor] = await db
    .select({ confirmedAt: staffSecondFactors.confirmedAt })
    .from(staffSecondFactors)
    .where(eq(staffSecondFactors.staffId, staffId))
    .limit(1);
  const [codes] = await db
    .select({ n: count() })
    .from(staffRecoveryCodes)
    .where(and(eq(staffRecoveryCodes.staffId, staffId), isNull(staffRecoveryCodes.usedAt)));
  const enrolledAt = factor?.confirmedAt ?? null;
  return { enrolled: !!enrolledAt, enrolledAt, recoveryCodesLeft: enrolledAt ? (codes?.n ?? 0) : 0 };
}

export interface PendingEnrolment {
  secret: string;
  otpauthUri: string;
}

/**
 * The key to set up an authenticator with, for this session. Nothing is written (a GET never writes, issue 14
 * item 11): the key is derived from the server secret and the session id (HMAC-SHA256, 160 bits), so reloading
 * the page shows the same key, another session gets another one, and only confirmEnrolment stores it. Refuses
 * once a factor is confirmed (replacing one needs an admin reset, never just a password).
 */
export async function startEnrolment(owner: SecondFactorOwner, sessionId: string): Promise<PendingEnrolment> {
  const db = await getDb();
  const [existing] = await db.select().from(staffSecondFactors).where(eq(staffSecondFactors.staffId, owner.id)).limit(1);
  if (existing?.confirmedAt) throw new UserFacingError("Two-step verification is already set up for this account.");
  const secret = enrolmentSecret(owner.id, sessionId);
  return { secret, otpauthUri: otpauthUri(secret, owner.email, TOTP_ISSUER) };
}

function enrolmentSecret(staffId: string, sessionId: string): string {
  const mac = createHmac("sha256", env().authSecret).update(`totp-enrolment:${staffId}:${sessionId}`, "utf8").digest();
  return base32Encode(mac.subarray(0, 20));
}

/** Ten codes like "K7QD2-M4XPA": 50 random bits each, shown once. */
export function generateRecoveryCodes(): string[] {
  return Array.from({ length: RECOVERY_CODE_COUNT }, () => {
    const raw = base32Encode(randomBytes(7)).slice(0, 10);
    return `${raw.slice(0, 5)}-${raw.slice(5)}`;
  });
}

function normaliseRecoveryCode(input: string): string | null {
  const v = input.toUpperCase().replace(/[\s-]/g, "");
  return /^[A-Z2-7]{10}$/.test(v) ? v : null;
}

function recoveryCodeHash(staffId: string, normalised: string): string {
  return indexOf("recovery-code", `${staffId}:${normalised}`);
}

/** Reserves this attempt before the code is checked (atomic: a burst of codes cannot outrun the limit). */
async function throttled(owner: SecondFactorOwner, action: string, now: Date, meta?: RequestMeta): Promise<boolean> {
  if (await reserveAttempt([{ key: throttleKey(owner.id), limit: SECOND_FACTOR_MAX_FAILURES }], now)) return false;
  await recordAudit({ actor: actorOf(owner), action, outcome: "denied", details: { reason: "throttled" }, meta });
  return true;
}

async function failed(owner: SecondFactorOwner, action: string, reason: string, meta?: RequestMeta, method?: string) {
  // Already counted: the reservation in `throttled` is kept as the failure.
  await recordAudit({ actor: actorOf(owner), action, outcome: "failure", details: { reason, ...(method ? { method } : {}) }, meta });
}

/** Claims `step` for this factor unless a step at or above it was already used (atomic: single use under races). */
async function claimStep(staffId: string, step: number, confirm: boolean, now: Date): Promise<boolean> {
  const db = await getDb();
  const rows = await db
    .update(staffSecondFactors)
    .set({ lastUsedStep: step, ...(confirm ? { confirmedAt: now } : {}) })
    .where(
      and(
        eq(staffSecondFactors.staffId, staffId),
        confirm ? isNull(staffSecondFactors.confirmedAt) : isNotNull(staffSecondFactors.confirmedAt),
        or(isNull(staffSecondFactors.lastUsedStep), lt(staffSecondFactors.lastUsedStep, step)),
      ),
    )
    .returning({ staffId: staffSecondFactors.staffId });
  return rows.length === 1;
}

export type EnrolResult =
  | { ok: true; recoveryCodes: string[] }
  | { ok: false; reason: "invalid" | "throttled" | "not-started" };

/**
 * Confirms a pending enrolment with a code from the authenticator: the factor becomes active, this session
 * counts as verified, and ten new recovery codes are returned (the only time they exist in clear).
 */
export async function confirmEnrolment(
  owner: SecondFactorOwner,
  sessionId: string,
  code: string,
  meta?: RequestMeta,
  now = sessionClock.now(),
): Promise<EnrolResult> {
  const action = "auth.second_factor_enrol";
  const db = await getDb();
  const [existing] = await db.select().from(staffSecondFactors).where(eq(staffSecondFactors.staffId, owner.id)).limit(1);
  if (existing?.confirmedAt) return { ok: false, reason: "not-started" };
  if (await throttled(owner, action, now, meta)) return { ok: false, reason: "throttled" };
  const secret = enrolmentSecret(owner.id, sessionId);
  const step = matchTotp(secret, code.replace(/\s/g, ""), now.getTime());
  // Stored only now, confirmed, in one statement; a factor confirmed meanwhile (another tab) is never replaced.
  const values = { secretEnc: encrypt(secret, secretContext(owner.id)), confirmedAt: now, lastUsedStep: step };
  const stored =
    step === null
      ? []
      : await db
          .insert(staffSecondFactors)
          .values({ staffId: owner.id, ...values })
          .onConflictDoUpdate({ target: staffSecondFactors.staffId, set: values, setWhere: isNull(staffSecondFactors.confirmedAt) })
          .returning({ staffId: staffSecondFactors.staffId });
  if (stored.length !== 1) {
    await failed(owner, action, "invalid-code", meta);
    return { ok: false, reason: "invalid" };
  }
  const recoveryCodes = generateRecoveryCodes();
  await db.delete(staffRecoveryCodes).where(eq(staffRecoveryCodes.staffId, owner.id));
  await db.insert(staffRecoveryCodes).values(
    recoveryCodes.map((c) => ({ staffId: owner.id, codeHash: recoveryCodeHash(owner.id, normaliseRecoveryCode(c)!), createdAt: now })),
  );
  await markSecondFactorVerified(sessionId, now);
  await clearKeyFailures(throttleKey(owner.id));
  await recordAudit({ actor: actorOf(owner), action, outcome: "success", details: { method: "totp", recoveryCodes: RECOVERY_CODE_COUNT }, meta });
  return { ok: true, recoveryCodes };
}

/**
 * Verifies a code typed at sign-in: six digits are a TOTP code, anything shaped like "XXXXX-XXXXX" a recovery
 * code. On success the session counts as verified.
 */
export async function verifySecondFactor(
  owner: SecondFactorOwner,
  sessionId: string,
  input: string,
  meta?: RequestMeta,
  now = sessionClock.now(),
): Promise<VerifyResult> {
  const action = "auth.second_factor_verify";
  const db = await getDb();
  const [factor] = await db.select().from(staffSecondFactors).where(eq(staffSecondFactors.staffId, owner.id)).limit(1);
  if (!factor?.confirmedAt) return { ok: false, reason: "not-enrolled" };
  if (await throttled(owner, action, now, meta)) return { ok: false, reason: "throttled" };

  const code = input.replace(/\s/g, "");
  if (/^\d{6}$/.test(code)) {
    const step = matchTotp(decrypt(factor.secretEnc, secretContext(owner.id)), code, now.getTime());
    if (step === null) {
      await failed(owner, action, "invalid-code", meta, "totp");
      return { ok: false, reason: "invalid" };
    }
    if (!(await claimStep(owner.id, step, false, now))) {
      await failed(owner, action, "code-already-used", meta, "totp");
      return { ok: false, reason: "reused" };
    }
    await markSecondFactorVerified(sessionId, now);
    await clearKeyFailures(throttleKey(owner.id));
    await recordAudit({ actor: actorOf(owner), action, outcome: "success", details: { method: "totp" }, meta });
    return { ok: true, method: "totp" };
  }

  const normalised = normaliseRecoveryCode(code);
  const claimed = normalised
    ? await db
        .update(staffRecoveryCodes)
        .set({ usedAt: now })
        .where(
          and(
            eq(staffRecoveryCodes.staffId, owner.id),
            eq(staffRecoveryCodes.codeHash, recoveryCodeHash(owner.id, normalised)),
            isNull(staffRecoveryCodes.usedAt),
          ),
        )
        .returning({ id: staffRecoveryCodes.id })
    : [];
  if (claimed.length !== 1) {
    await failed(owner, action, normalised ? "invalid-recovery-code" : "malformed-code", meta, normalised ? "recovery-code" : undefined);
    return { ok: false, reason: "invalid" };
  }
  const [left] = await db
    .select({ n: count() })
    .from(staffRecoveryCodes)
    .where(and(eq(staffRecoveryCodes.staffId, owner.id), isNull(staffRecoveryCodes.usedAt)));
  await markSecondFactorVerified(sessionId, now);
  await clearKeyFailures(throttleKey(owner.id));
  await recordAudit({ actor: actorOf(owner), action, outcome: "success", details: { method: "recovery-code" }, meta });
  await recordAudit({ actor: actorOf(owner), action: "auth.recovery_code_used", outcome: "success", details: { remaining: left?.n ?? 0 }, meta });
  return { ok: true, method: "recovery-code" };
}

/** Removes the factor and its recovery codes (an admin's reset; the caller checks the permission and audits). */
export async function removeSecondFactor(staffId: string): Promise<boolean> {
  const db = await getDb();
  const removed = await db.delete(staffSecondFactors).where(eq(staffSecondFactors.staffId, staffId)).returning({ staffId: staffSecondFactors.staffId });
  await db.delete(staffRecoveryCodes).where(eq(staffRecoveryCodes.staffId, staffId));
  await clearKeyFailures(throttleKey(staffId));
  return removed.length > 0;
}

/** What the pages say for a refusal. */
export function describeRefusal(reason: "invalid" | "reused" | "throttled" | "not-enrolled" | "not-started"): string {
  switch (reason) {
    case "throttled":
      return SECOND_FACTOR_THROTTLED_MESSAGE;
    case "reused":
      return "That code has already been used. Wait for the next code in your app.";
    case "not-enrolled":
      return "Two-step verification is not set up for this account.";
    case "not-started":
      return "Start the set-up again: open this page once more.";
    default:
      return "That code is not valid. Check the time on your phone and try again.";
  }
}
