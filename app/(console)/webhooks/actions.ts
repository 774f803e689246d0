"use server";

import { z } from "zod";

import { defineAction } from "@/lib/actions/define-action";
import { saveWebhookSubscription, sendTestWebhook, WEBHOOK_EVENT_TYPES, type SavedSubscription } from "@/lib/webhooks/manage";

const webhookUrl = z
  .string()
  .trim()
  .max(2000)
  .refine((v) => {
    try {
      const u = new URL(v);
      return (u.protocol === "https:" || u.protocol === "http:") && !u.username && !u.password;
    } catch {
      return false;
    }
  }, "Enter an http(s) address without credentials, e.g. https://console.example.com/api/basiq/webhooks.");

export const saveWebhookSubscriptionAction = defineAction({
  name: "saveWebhookSubscription",
  permission: "webhooks.manage",
  input: z
    .object({
      id: z.string().regex(/^[A-Za-z0-9_-]{1,128}$/, "Not a webhook id.").optional(),
      url: webhookUrl,
      subscribedEvents: z.array(z.enum(WEBHOOK_EVENT_TYPES)).min(1, "Choose at least one event.").max(WEBHOOK_EVENT_TYPES.length),
    })
    .strict(),
  async run(input, caller) {
    const saved: SavedSubscription = await saveWebhookSubscription(caller, { ...input, subscribedEvents: [...new Set(input.subscribedEvents)] });
    return {
      ok: true,
      data: saved,
      message: saved.secretMismatch
        ? "Subscription saved, but Basiq signs it with a secret other than BASIQ_WEBHOOK_SECRET: copy the secret from Basiq's dashboard into BASIQ_WEBHOOK_SECRET (the old one into BASIQ_WEBHOOK_SECRET_PREVIOUS) and restart."
        : `Subscription ${input.id ? "updated" : "created"}.`,
    };
  },
});

export const sendTestWebhookAction = defineAction({
  name: "sendTestWebhook",
  permission: "webhooks.manage",
  input: z.object({ eventTypeId: z.enum(WEBHOOK_EVENT_TYPES) }).strict(),
  async run(input, caller) {
    await sendTestWebhook(caller, input.eventTypeId);
    return { ok: true, data: undefined, message: "Basiq is sending a test message; it appears below within seconds." };
  },
});
