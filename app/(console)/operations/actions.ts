"use server";

import { defineAction } from "@/lib/actions/define-action";
import { retryJob, retryJobInput } from "@/lib/dal/operations";

export const retryJobAction = defineAction({
  name: "retryJob",
  permission: "operations.manage",
  input: retryJobInput,
  async run(input) {
    await retryJob(input);
    return { ok: true, data: undefined, message: "Job queued again." };
  },
});
