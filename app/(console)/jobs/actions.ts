"use server";

import { z } from "zod";

import { defineAction } from "@/lib/actions/define-action";
import { startSweepNow } from "@/lib/dal/sweep";

export const startSweepAction = defineAction({
  name: "startSweep",
  permission: "sweep.run",
  input: z.object({}).strict(),
  async run() {
    const result = await startSweepNow();
    return result.started ? { ok: true, data: undefined, message: result.message } : { ok: false, message: result.message };
  },
});
