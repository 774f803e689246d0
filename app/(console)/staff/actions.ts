"use server";

import { revalidatePath } from "next/cache";

import { defineAction } from "@/lib/actions/define-action";
import type { ActionResult } from "@/lib/actions/result";
import { recordAudit } from "@/lib/audit";
import type { CurrentStaff } from "@/lib/auth/session";
import {
  changeStaffRole,
  createStaffMember,
  resetStaffPassword,
  resetStaffSecondFactor,
  setStaffStatus,
  type StaffDTO,
} from "@/lib/dal/staff";
import { DuplicateStaffEmailError } from "@/lib/staff/accounts";
import {
  staffCreateSchema,
  staffPasswordResetSchema,
  staffRoleChangeSchema,
  staffStatusChangeSchema,
} from "@/lib/staff/schemas";

// The staff page's actions: thin wrappers over lib/dal/staff.ts (which checks the permission again and audits).
// A signed-in non-admin calling one (a forged POST: the UI never offers it), or anyone calling one from another
// origin, is recorded as a denied audit event with the caller as actor, since an attempt to change who may do
// what is worth knowing about. Anonymous calls are only refused and counted (defineAction), so that nobody can
// fill the audit log without an account.

function auditForbidden(actionOf: (raw: Record<string, unknown>) => string) {
  return async ({ reason, raw, caller }: { reason: string; raw: unknown; caller: CurrentStaff }) => {
    if (reason !== "forbidden" && reason !== "origin") return;
    const input = typeof raw === "object" && raw !== null ? (raw as Record<string, unknown>) : {};
    const staffId = typeof input.staffId === "string" ? input.staffId.slice(0, 64) : undefined;
    await recordAudit({
      actor: { id: caller.id, email: caller.email, role: caller.role },
      action: actionOf(input),
      outcome: "denied",
      details: { reason, ...(staffId ? { staffId } : {}) },
    });
  };
}

/**
 * Re-render the staff page with the change, except when the admins changed their own account so that they may no
 * longer open it: that page would now be a 403, so the client moves them on instead.
 */
function refreshUnlessLockedOut(callerId: string, changed: StaffDTO) {
  const lockedOut = changed.id === callerId && (changed.role !== "admin" || changed.status !== "active");
  if (!lockedOut) revalidatePath("/staff");
}

export interface CreatedStaff {
  staff: StaffDTO;
  oneTimePassword: string | null;
}

export const createStaffAction = defineAction({
  name: "createStaff",
  permission: "staff.manage",
  input: staffCreateSchema,
  onRefused: auditForbidden(() => "staff.create"),
  async run(input): Promise<ActionResult<CreatedStaff>> {
    try {
      const created = await createStaffMember(input);
      revalidatePath("/staff");
      return { ok: true, data: created, message: `Created ${created.staff.email} (${created.staff.role}).` };
    } catch (e) {
      if (e instanceof DuplicateStaffEmailError) return { ok: false, message: e.message, fieldErrors: { email: ["is already used by another account"] } };
      throw e;
    }
  },
});

export const changeStaffRoleAction = defineAction({
  name: "changeStaffRole",
  permission: "staff.manage",
  input: staffRoleChangeSchema,
  onRefused: auditForbidden(() => "staff.role_change"),
  async run(input, caller): Promise<ActionResult<StaffDTO>> {
    const { staff, changed } = await changeStaffRole(input);
    refreshUnlessLockedOut(caller.id, staff);
    return { ok: true, data: staff, message: changed ? `${staff.email} is now ${staff.role}.` : `${staff.email} was already ${staff.role}.` };
  },
});

export const setStaffStatusAction = defineAction({
  name: "setStaffStatus",
  permission: "staff.manage",
  input: staffStatusChangeSchema,
  onRefused: auditForbidden((raw) => (raw.status === "active" ? "staff.enable" : "staff.disable")),
  async run(input, caller): Promise<ActionResult<StaffDTO>> {
    const { staff, changed } = await setStaffStatus(input);
    refreshUnlessLockedOut(caller.id, staff);
    const done = staff.status === "disabled" ? "disabled: their sessions end on their next click" : "enabled";
    return { ok: true, data: staff, message: changed ? `${staff.email} is ${done}.` : `${staff.email} was already ${staff.status}.` };
  },
});

export const resetStaffPasswordAction = defineAction({
  name: "resetStaffPassword",
  permission: "staff.manage",
  input: staffPasswordResetSchema,
  onRefused: auditForbidden(() => "staff.password_reset"),
  async run(input): Promise<ActionResult<CreatedStaff>> {
    const reset = await resetStaffPassword(input);
    return { ok: true, data: reset, message: `New one-time password for ${reset.staff.email}.` };
  },
});

export const resetStaffSecondFactorAction = defineAction({
  name: "resetStaffSecondFactor",
  permission: "staff.manage",
  input: staffPasswordResetSchema,
  onRefused: auditForbidden(() => "staff.second_factor_reset"),
  async run(input): Promise<ActionResult<StaffDTO>> {
    const { staff, removed } = await resetStaffSecondFactor(input);
    revalidatePath("/staff");
    return {
      ok: true,
      data: staff,
      message: removed
        ? `Second factor of ${staff.email} removed and their sessions ended: they set it up again at their next sign-in.`
        : `${staff.email} had no second factor; their sessions were ended.`,
    };
  },
});
