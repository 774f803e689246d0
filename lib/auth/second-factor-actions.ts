import "server-only";

// The second-factor server actions' logic. They cannot use defineAction (which requires a complete session):
// they serve exactly the sessions that still owe their second factor, plus complete sessions enrolling by choice.
// Each re-reads the session state from the database and refuses anything else.
import { z } from "zod";

import { getSessionIdentity, replaceSessionCookie } from "./identity";
import { describeRefusal, confirmEnrolment, verifySecondFactor } from "./second-factor";
import { rotateSession } from "./server-sessions";
import { getSessionState } from "./session";

/** A new session id once the second factor is complete (the pre-verification id is revoked). */
async function rotateAfterSecondFactor(): Promise<void> {
  const identity = await getSessionIdentity();
  if (!identity) return;
  const rotated = await rotateSession(identity.sessionId);
  if (rotated) await replaceSessionCookie(identity, rotated);
}

export const secondFactorCodeSchema = z.object({ code: z.string().trim().min(1, "Enter a code.").max(32) });

export interface CodeFormState {
  message: string | null;
  /** Set once, after a successful enrolment: shown once and never again. */
  recoveryCodes?: string[];
  done?: boolean;
}

function codeFrom(formData: unknown): string | null {
  // Server actions are public endpoints: the "form" may be anything a caller forged.
  if (!(formData instanceof FormData)) return null;
  const parsed = secondFactorCodeSchema.safeParse({ code: formData.get("code") });
  return parsed.success ? parsed.data.code : null;
}

export async function confirmEnrolmentFromForm(formData: FormData): Promise<CodeFormState> {
  const state = await getSessionState();
  const mayEnrol =
    (state.status === "second-factor" && state.need === "enrol") || (state.status === "complete" && state.secondFactor === "not-enrolled");
  if (state.status === "anonymous" || !mayEnrol || !state.staff.sessionId) {
    return { message: state.status === "anonymous" ? "Your session has ended. Sign in again." : "Two-step verification is already set up for this account." };
  }
  const code = codeFrom(formData);
  if (!code) return { message: "Enter the 6-digit code from your authenticator app." };
  const result = await confirmEnrolment(state.staff, state.staff.sessionId, code);
  if (!result.ok) return { message: describeRefusal(result.reason) };
  // Not rotated here: setting a cookie in an action makes Next.js re-render the page, which sends a complete
  // session on before the recovery codes are shown. The session was created by this person's password moments
  // ago; every later sign-in rotates at verification.
  return { message: null, recoveryCodes: result.recoveryCodes, done: true };
}

export async function verifyCodeFromForm(formData: FormData): Promise<CodeFormState> {
  const state = await getSessionState();
  if (state.status === "complete" || state.status === "password-change") return { message: null, done: true };
  if (state.status !== "second-factor" || state.need !== "verify" || !state.staff.sessionId) {
    return { message: state.status === "anonymous" ? "Your session has ended. Sign in again." : "Set up two-step verification first." };
  }
  const code = codeFrom(formData);
  if (!code) return { message: "Enter the 6-digit code from your authenticator app, or a recovery code." };
  const result = await verifySecondFactor(state.staff, state.staff.sessionId, code);
  if (!result.ok) return { message: describeRefusal(result.reason) };
  await rotateAfterSecondFactor();
  return { message: null, done: true };
}
