// Inputs of the staff page's actions (parsed again by the DAL: every caller is untrusted).
import { z } from "zod";

import { roles } from "@/lib/auth/policy";

import { newStaffSchema } from "./accounts";

export const staffStatuses = ["active", "disabled"] as const;
export type StaffStatus = (typeof staffStatuses)[number];

export const staffIdSchema = z.uuid({ message: "is not a valid staff id" });

/** An empty password field means "generate a one-time password for me". */
export const staffCreateSchema = newStaffSchema.extend({
  password: z.preprocess((v) => (v === "" || v === null ? undefined : v), newStaffSchema.shape.password.optional()),
});
export type StaffCreateInput = z.infer<typeof staffCreateSchema>;

export const staffRoleChangeSchema = z.object({ staffId: staffIdSchema, role: z.enum(roles) });
export type StaffRoleChangeInput = z.infer<typeof staffRoleChangeSchema>;

export const staffStatusChangeSchema = z.object({ staffId: staffIdSchema, status: z.enum(staffStatuses) });
export type StaffStatusChangeInput = z.infer<typeof staffStatusChangeSchema>;

export const staffPasswordResetSchema = z.object({ staffId: staffIdSchema });
export type StaffPasswordResetInput = z.infer<typeof staffPasswordResetSchema>;
