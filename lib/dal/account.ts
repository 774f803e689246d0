import "server-only";

// One's own account: changing one's password (issue 14 item 7). Also the way out of a one-time password: a
// session signed in with one may do this and nothing else (lib/auth/session.ts). The current password is checked
// (and counts toward the account's sign-in throttle), the new one must be strong (zxcvbn-ts), and every other
// session of the person ends.
import { eq } from "drizzle-orm";

import { recordAudit } from "@/lib/audit";
import { requestMeta } from "@/lib/audit/request-meta";
import { hashPassword } from "@/lib/auth/password";
import { checkPasswordStrength } from "@/lib/auth/password-strength";
import { revokeStaffSessions } from "@/lib/auth/server-sessions";
import { requirePermission } from "@/lib/auth/session";
import { confirmOwnPassword } from "@/lib/auth/reauth";
import { getDb } from "@/lib/db";
import { staff } from "@/lib/db/schema";
import { UserFacingError } from "@/lib/errors";

export interface PasswordChangeInput {
  currentPassword: string;
  newPassword: string;
}

export async function changeOwnPassword(input: PasswordChangeInput): Promise<{ sessionsEnded: number }> {
  const caller = await requirePermission("account.password");
  const actor = { id: caller.id, email: caller.email, role: caller.role };
  const meta = await requestMeta();
  const db = await getDb();
  const refuse = async (reason: string, message: string): Promise<never> => {
    await recordAudit({ actor, action: "auth.password_change", outcome: "denied", details: { reason }, meta });
    throw new UserFacingError(message);
  };

  // The current password counts toward the account's sign-in limit, reserved before it is checked (lib/auth/reauth.ts).
  const check = await confirmOwnPassword(caller, input.currentPassword, meta);
  if (check === "throttled") await refuse("throttled", "Too many failed attempts. Wait 15 minutes and try again.");
  if (check !== "ok") await refuse("bad-current-password", "Your current password is not right.");
  const [row] = await db.select({ name: staff.name }).from(staff).where(eq(staff.id, caller.id)).limit(1);
  if (input.newPassword === input.currentPassword) {
    await refuse("unchanged", "Choose a password different from the current one.");
  }
  const strength = checkPasswordStrength(input.newPassword, [caller.email, row?.name ?? "", "basiq", "console"]);
  if (!strength.ok) await refuse("weak", strength.message);

  await db
    .update(staff)
    .set({ passwordHash: await hashPassword(input.newPassword), passwordChangeRequired: false, passwordExpiresAt: null, updatedAt: new Date() })
    .where(eq(staff.id, caller.id));
  const sessionsEnded = await revokeStaffSessions(caller.id, "password-change", { except: caller.sessionId });
  await recordAudit({ actor, action: "auth.password_change", outcome: "success", details: { sessionsEnded }, meta });
  return { sessionsEnded };
}
