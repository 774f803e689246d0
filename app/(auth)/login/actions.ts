"use server";

import { AuthError, CredentialsSignin } from "next-auth";
import { z } from "zod";

import { OIDC_PROVIDER_ID, signIn } from "@/lib/auth/config";
import { safeCallbackPath } from "@/lib/auth/callback-path";
import { secondFactorPath } from "@/lib/auth/guard";
import { env } from "@/lib/env";
import { isSameOriginRequest } from "@/lib/security/origin";

export interface SignInState {
  message: string | null;
}

// The shape of an attempt worth checking. Anything else is answered here, before next-auth, the throttle or the
// password hash see it (it cannot be an account, so saying so reveals nothing).
const attemptSchema = z.object({
  email: z.string().trim().max(254).email(),
  password: z.string().min(1).max(1024),
});

const ORIGIN_REFUSED = "This request did not come from the console itself (HTTP 403). Reload the page and try again.";

export async function signInAction(_prev: SignInState, formData: FormData): Promise<SignInState> {
  // Not a defineAction (no session yet), so the same-origin rule is checked here (issue 14 item 5).
  if (!(await isSameOriginRequest().catch(() => false))) return { message: ORIGIN_REFUSED };
  // A forged POST can send any argument, not only the form.
  if (!(formData instanceof FormData)) return { message: "Enter your e-mail and password." };
  const email = formData.get("email");
  const password = formData.get("password");
  if (typeof email !== "string" || typeof password !== "string" || !email || !password) {
    return { message: "Enter your e-mail and password." };
  }
  if (!attemptSchema.safeParse({ email, password }).success) {
    return { message: "Enter a valid e-mail address and a password of at most 1,024 characters." };
  }
  try {
    await signIn("credentials", {
      email,
      password,
      // Through the second-factor page: it asks for a code (or enrolment) when owed, else sends straight on.
      redirectTo: secondFactorPath(safeCallbackPath(formData.get("callbackUrl"))),
    });
    return { message: null };
  } catch (e) {
    // signIn redirects by throwing; only Auth.js errors are ours to turn into a message.
    if (e instanceof CredentialsSignin && e.code === "throttled") {
      return { message: "Too many failed attempts. Wait 15 minutes and try again." };
    }
    if (e instanceof CredentialsSignin && e.code === "sso-only") {
      return { message: `Password sign-in is turned off: sign in with ${env().oidc?.displayName ?? "single sign-on"}.` };
    }
    if (e instanceof AuthError) return { message: "That e-mail and password do not match an active account." };
    throw e;
  }
}

/**
 * "Sign in with <OIDC_DISPLAY_NAME>": next-auth's OIDC flow (discovery, PKCE, state, nonce). Back through the
 * second-factor page, which asks an admin for the console's TOTP when the identity provider did not report
 * several factors, and otherwise sends straight on.
 */
export async function ssoSignInAction(formData: FormData): Promise<void> {
  if (!(await isSameOriginRequest().catch(() => false))) return;
  if (!env().oidc) return;
  if (!(formData instanceof FormData)) return; // a forged call: only the form starts a sign-in
  const callbackUrl = formData.get("callbackUrl");
  await signIn(OIDC_PROVIDER_ID, { redirectTo: secondFactorPath(safeCallbackPath(callbackUrl)) });
}
