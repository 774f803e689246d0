"use server";

// The invitation page's two public actions (no session yet, so not defineAction: the same-origin rule is checked
// here). The token arrives in the body only, never in a URL.
import { AuthError } from "next-auth";

import { metaFromHeaders } from "@/lib/audit/request-meta";
import { signIn } from "@/lib/auth/config";
import { secondFactorPath } from "@/lib/auth/guard";
import { acceptInvitation, viewInvitation, type InvitationView } from "@/lib/invitations";
import { isSameOriginRequest } from "@/lib/security/origin";
import { headers } from "next/headers";

export interface AcceptState {
  message: string | null;
  field?: "name" | "password";
}

const ORIGIN_REFUSED = "This request did not come from the console itself (HTTP 403). Reload the page and try again.";

/** What the link's token invites to, or null (unknown, used and expired look the same). */
export async function viewInvitationAction(token: unknown): Promise<InvitationView | null> {
  if (!(await isSameOriginRequest().catch(() => false))) return null;
  return viewInvitation(token);
}

export async function acceptInvitationAction(_prev: AcceptState, formData: FormData): Promise<AcceptState> {
  if (!(await isSameOriginRequest().catch(() => false))) return { message: ORIGIN_REFUSED };
  if (!(formData instanceof FormData)) return { message: "Fill in your name and a password." };
  const input = { token: formData.get("token"), name: formData.get("name"), password: formData.get("password") };
  const result = await acceptInvitation(input, metaFromHeaders(await headers()));
  if (!result.ok) return { message: result.message, field: result.field };
  try {
    // Signed straight in with the new password; the second-factor page then has an admin enrol TOTP.
    await signIn("credentials", { email: result.email, password: input.password, redirectTo: secondFactorPath("/account") });
    return { message: null };
  } catch (e) {
    if (e instanceof AuthError) return { message: "Your account is ready: sign in with your e-mail and new password." };
    throw e;
  }
}
