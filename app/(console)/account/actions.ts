"use server";

import { z } from "zod";

import { defineAction } from "@/lib/actions/define-action";
import { changeOwnPassword } from "@/lib/dal/account";

const passwordChangeInput = z
  .object({
    currentPassword: z.string().min(1, { message: "Enter your current password." }).max(1024),
    newPassword: z.string().min(12, { message: "Use at least 12 characters." }).max(1024, { message: "At most 1,024 characters." }),
    confirmPassword: z.string().max(1024),
  })
  .strict()
  .refine((v) => v.newPassword === v.confirmPassword, { path: ["confirmPassword"], message: "The two new passwords differ." });

export const changePasswordAction = defineAction({
  name: "changePassword",
  permission: "account.password",
  input: passwordChangeInput,
  async run({ currentPassword, newPassword }) {
    const { sessionsEnded } = await changeOwnPassword({ currentPassword, newPassword });
    return {
      ok: true,
      data: { sessionsEnded },
      message: `Password changed.${sessionsEnded > 0 ? ` Your ${sessionsEnded} other session${sessionsEnded === 1 ? " has" : "s have"} been signed out.` : ""}`,
    };
  },
});
