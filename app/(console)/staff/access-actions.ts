"use server";

// The Staff page's sign-in access actions (issue 19): inviting someone, and the SSO-only switch. Kept apart from
// actions.ts (the staff list's). Both are admin-only; lib/invitations and lib/auth/auth-mode check again and audit.
import { headers } from "next/headers";
import { revalidatePath } from "next/cache";
import { z } from "zod";

import { defineAction } from "@/lib/actions/define-action";
import type { ActionResult } from "@/lib/actions/result";
import { recordAudit } from "@/lib/audit";
import { setSsoOnly, ssoOnlySettingSchema, type AuthModeState } from "@/lib/auth/auth-mode";
import type { CurrentStaff } from "@/lib/auth/session";
import { inviteSchema, inviteStaff, type InvitationSent } from "@/lib/invitations";
import { DuplicateStaffEmailError } from "@/lib/staff/accounts";

function auditForbidden(action: string) {
  return async ({ reason, caller }: { reason: string; caller: CurrentStaff }) => {
    if (reason !== "forbidden" && reason !== "origin") return;
    await recordAudit({ actor: { id: caller.id, email: caller.email, role: caller.role }, action, outcome: "denied", details: { reason } });
  };
}

export const inviteStaffAction = defineAction({
  name: "inviteStaff",
  permission: "staff.manage",
  input: inviteSchema,
  onRefused: auditForbidden("staff.invite"),
  async run(input): Promise<ActionResult<InvitationSent>> {
    // The Origin header: same-origin was checked by defineAction, so it is the console as the admin sees it.
    const origin = z.url().safeParse((await headers()).get("origin"));
    if (!origin.success) return { ok: false, message: "Reload the page and try again." };
    try {
      const sent = await inviteStaff(input, new URL(origin.data).origin);
      revalidatePath("/staff");
      return {
        ok: true,
        data: sent,
        message: sent.delivery === "mail" ? `Invitation e-mailed to ${sent.email}.` : `Invitation for ${sent.email} created: copy the link now.`,
      };
    } catch (e) {
      if (e instanceof DuplicateStaffEmailError) return { ok: false, message: e.message, fieldErrors: { email: ["already has an account"] } };
      throw e;
    }
  },
});

export const setSsoOnlyAction = defineAction({
  name: "setSsoOnly",
  permission: "staff.manage",
  input: ssoOnlySettingSchema,
  onRefused: auditForbidden("settings.sso_only"),
  async run(input): Promise<ActionResult<AuthModeState>> {
    const state = await setSsoOnly(input.enabled);
    revalidatePath("/staff");
    return { ok: true, data: state, message: state.ssoOnly ? "SSO-only mode is on: passwords are refused." : "SSO-only mode is off." };
  },
});
