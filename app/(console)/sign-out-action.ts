"use server";

import { recordAudit } from "@/lib/audit";
import { signOut } from "@/lib/auth/config";
import { getCurrentStaff } from "@/lib/auth/session";

export async function signOutAction(): Promise<void> {
  const current = await getCurrentStaff();
  if (current) {
    await recordAudit({
      actor: { id: current.id, email: current.email, role: current.role },
      action: "auth.sign_out",
      outcome: "success",
    });
  }
  await signOut({ redirectTo: "/login" });
}
