"use server";

import { revalidatePath } from "next/cache";

import { defineAction } from "@/lib/actions/define-action";
import {
  channelInputSchema,
  createAlertChannel,
  createAlertRule,
  ruleInputSchema,
  setAlertChannelEnabled,
  setAlertRuleEnabled,
  setWatch,
  toggleSchema,
  watchSchema,
} from "@/lib/dal/alerts";

export const createAlertChannelAction = defineAction({
  name: "createAlertChannel",
  permission: "alerts.manage",
  input: channelInputSchema,
  async run(input) {
    const channel = await createAlertChannel({ ...input, target: Array.isArray(input.target) ? input.target.join(", ") : input.target });
    revalidatePath("/alerts");
    return { ok: true, data: undefined, message: `Channel "${channel.name}" added.` };
  },
});

export const createAlertRuleAction = defineAction({
  name: "createAlertRule",
  permission: "alerts.manage",
  input: ruleInputSchema,
  async run(input) {
    await createAlertRule(input);
    revalidatePath("/alerts");
    return { ok: true, data: undefined, message: `Rule "${input.name}" added.` };
  },
});

export const setAlertRuleEnabledAction = defineAction({
  name: "setAlertRuleEnabled",
  permission: "alerts.manage",
  input: toggleSchema,
  async run(input) {
    await setAlertRuleEnabled(input);
    revalidatePath("/alerts");
    return { ok: true, data: undefined, message: input.enabled ? "Rule enabled." : "Rule disabled." };
  },
});

export const setAlertChannelEnabledAction = defineAction({
  name: "setAlertChannelEnabled",
  permission: "alerts.manage",
  input: toggleSchema,
  async run(input) {
    await setAlertChannelEnabled(input);
    revalidatePath("/alerts");
    return { ok: true, data: undefined, message: input.enabled ? "Channel enabled." : "Channel disabled." };
  },
});

export const setWatchAction = defineAction({
  name: "setWatch",
  permission: "alerts.watch",
  input: watchSchema,
  async run(input) {
    const watching = await setWatch(input);
    const what = input.connectionId ? "this connection" : "this user";
    return { ok: true, data: watching, message: watching ? `Watching ${what}: its failed jobs alert.` : `No longer watching ${what}.` };
  },
});
