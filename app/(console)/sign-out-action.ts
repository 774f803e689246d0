"use server";

import { recordAudit } from "@/lib/audit";
import { signOut } from "@/lib/auth/config";
import { getSessionIdentity } from "@/lib/auth/identity";
import { revokeSession } from "@/lib/auth/server-sessions";
import { getSessionState } from "@/lib/auth/session";
import { isSameOriginRequest } from "@/lib/security/origin";

// Signing out revokes the server-side session, so a copy of the cookie is worthless afterwards. Also offered on
// the second-factor page (a session that still owes its second factor can end itself).
export async function signOutAction(): Promise<void> {
  // Not a defineAction (a session owing its second factor may sign out): the same-origin rule is checked here.
  if (!(await isSameOriginRequest().catch(() => false))) return;
  const state = await getSessionState();
  const identity = await getSessionIdentity();
  if (identity) await revokeSession(identity.sessionId, "sign-out");
  if (state.status !== "anonymous") {
    await recordAudit({
      actor: { id: state.staff.id, email: state.staff.email, role: state.staff.role },
      action: "auth.sign_out",
      outcome: "success",
    });
  }
  await signOut({ redirectTo: "/login" });
}
