import "server-only";

// Revoking a user's CDR consent at Basiq (admin only; DELETE /users/{userId}/consents/{consentId}, "cannot be
// undone"), with purge's protections (lib/dal/purge.ts): same origin, a sign-in (or re-entered password) within 15
// minutes, the typed confirmation (checked by the action's schema), every outcome audited — refusals included —
// and exactly one Basiq call: the first request takes the consent's row in consent_revocations (a partial unique
// index over in-progress, succeeded and unknown rows); any other gets that row's outcome. A refusal by Basiq
// ("failed") changed nothing there and may be tried again.
import { and, desc, eq, inArray } from "drizzle-orm";

import { recordAudit } from "@/lib/audit";
import { can } from "@/lib/auth/policy";
import { confirmOwnPassword } from "@/lib/auth/reauth";
import type { CurrentStaff } from "@/lib/auth/session";
import { basiq } from "@/lib/basiq";
import { BasiqOutcomeUnknownError, isBasiqError, isBasiqNotFound } from "@/lib/basiq/errors";
import { RECENT_SIGN_IN_MS } from "@/lib/dal/purge-policy";
import { getDb } from "@/lib/db";
import { consentRevocations } from "@/lib/db/schema";
import { NotFoundError, UserFacingError } from "@/lib/errors";
import { log } from "@/lib/log";

import { deidentifyUser } from "./deidentify";
import { isSameOriginRequest } from "@/lib/security/origin";

export type RevokeOutcome =
  | { status: "succeeded"; already: boolean }
  | { status: "in-progress" }
  | { status: "failed" | "unknown"; message: string; correlationId: string | null };

const actorOf = (c: CurrentStaff) => ({ id: c.id, email: c.email, role: c.role });

async function refuse(caller: CurrentStaff, userId: string, consentId: string, reason: string, message: string): Promise<never> {
  await recordAudit({ actor: actorOf(caller), action: "consent.revoke.refused", outcome: "denied", userId, details: { consentId, reason } });
  throw new UserFacingError(message);
}

export async function revokeConsent(
  caller: CurrentStaff,
  input: { userId: string; consentId: string; password?: string },
): Promise<RevokeOutcome> {
  const { userId, consentId } = input;
  if (!can(caller.role, "consents.revoke")) await refuse(caller, userId, consentId, "forbidden", "Only administrators can revoke a consent.");
  if (!(await isSameOriginRequest())) {
    await refuse(caller, userId, consentId, "origin", "This request did not come from the console itself. Reload the page and try again.");
  }
  if (Date.now() - caller.signedInAt > RECENT_SIGN_IN_MS) {
    const check = await confirmOwnPassword(caller, input.password);
    if (check === "throttled") await refuse(caller, userId, consentId, "throttled", "Too many failed attempts. Wait 15 minutes and try again.");
    if (check !== "ok") {
      await refuse(caller, userId, consentId, "stale-sign-in", "Revoking a consent needs a sign-in within the last 15 minutes: enter your password to confirm it is you.");
    }
  }

  // The consent must be this user's, and active.
  let consents;
  try {
    consents = await basiq().listConsents(userId, { userId });
  } catch (e) {
    if (isBasiqNotFound(e, { invalidIdToo: true })) {
      await recordAudit({ actor: actorOf(caller), action: "consent.revoke.refused", outcome: "denied", userId, details: { consentId, reason: "not-found" } });
      throw new NotFoundError("That user");
    }
    throw e;
  }
  const consent = consents.find((c) => c.id === consentId);
  if (!consent) {
    await recordAudit({ actor: actorOf(caller), action: "consent.revoke.refused", outcome: "denied", userId, details: { consentId, reason: "not-found" } });
    throw new NotFoundError("That consent of this user");
  }

  const db = await getDb();
  // One call: the insert fails (no row returned) when another request holds or finished this consent's revocation.
  const [mine] = await db
    .insert(consentRevocations)
    .values({ userId, consentId, requestedBy: caller.id, status: "in-progress" })
    .onConflictDoNothing()
    .returning();
  if (!mine) {
    const [other] = await db
      .select()
      .from(consentRevocations)
      .where(and(eq(consentRevocations.consentId, consentId), inArray(consentRevocations.status, ["in-progress", "succeeded", "unknown"])))
      .orderBy(desc(consentRevocations.id))
      .limit(1);
    if (other?.status === "succeeded") return { status: "succeeded", already: true };
    if (other?.status === "unknown") return { status: "unknown", message: "An earlier revocation got no answer from Basiq: check the user's consents before trying again.", correlationId: other.correlationId };
    return { status: "in-progress" };
  }
  if (consent.status && consent.status !== "active") {
    // Nothing to revoke at Basiq: recorded as done, no call.
    await db.update(consentRevocations).set({ status: "succeeded", finishedAt: new Date() }).where(eq(consentRevocations.id, mine.id));
    await recordAudit({ actor: actorOf(caller), action: "consent.revoke.refused", outcome: "denied", userId, details: { consentId, reason: `already-${consent.status}` } });
    return { status: "succeeded", already: true };
  }

  await recordAudit({ actor: actorOf(caller), action: "consent.revoke.requested", outcome: "requested", userId, details: { consentId, operationId: mine.id } });
  let outcome: RevokeOutcome;
  let basiqStatus: number | null = null;
  try {
    await basiq().revokeConsent(userId, consentId, { userId });
    basiqStatus = 204;
    outcome = { status: "succeeded", already: false };
  } catch (e) {
    const correlationId = isBasiqError(e) ? (e.correlationId ?? null) : null;
    if (e instanceof BasiqOutcomeUnknownError || !isBasiqError(e) || e.status === undefined) {
      outcome = { status: "unknown", message: "No answer from Basiq: the outcome is unknown — check the user's consents before retrying.", correlationId };
    } else {
      basiqStatus = e.status;
      outcome = { status: "failed", message: `Basiq refused the revocation (HTTP ${e.status}${e.code ? `, ${e.code}` : ""}).`, correlationId };
    }
    log.error({ userId, consentId, correlationId, status: basiqStatus }, "consent revocation failed");
  }
  if (outcome.status === "succeeded") {
    // The consent.revoked event will follow (events sync or webhook); the erasure need not wait for it, and when
    // the event arrives it finds nothing left to erase (no second audit row). Should this fail, the event does it.
    await deidentifyUser(db, userId, { id: `console-revocation-${mine.id}`, type: "consent.revoked" }).catch((e: unknown) => {
      log.error({ userId, err: e instanceof Error ? e.name : "unknown" }, "de-identification after a revocation failed; the consent.revoked event will retry it");
    });
  }
  await db
    .update(consentRevocations)
    .set({ status: outcome.status, basiqStatus, correlationId: "correlationId" in outcome ? outcome.correlationId : null, finishedAt: new Date() })
    .where(eq(consentRevocations.id, mine.id));
  await recordAudit({
    actor: actorOf(caller),
    action: `consent.revoke.${outcome.status}`,
    outcome: outcome.status === "succeeded" ? "success" : outcome.status === "unknown" ? "unknown" : "failure",
    userId,
    correlationId: "correlationId" in outcome ? outcome.correlationId : null,
    details: { consentId, operationId: mine.id, basiqStatus },
  });
  return outcome;
}
