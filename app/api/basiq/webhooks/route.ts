// POST /api/basiq/webhooks: Basiq's signed webhook deliveries (issue 17 §1). Public on purpose — Basiq has no
// staff session and sends no Origin — so it is authenticated by its Standard Webhooks signature alone
// (lib/webhooks/receive.ts); proxy.ts only checks server-action requests, which this is not.
import { after } from "next/server";

import { basiq } from "@/lib/basiq";
import { getDb } from "@/lib/db";
import { env } from "@/lib/env";
import { log } from "@/lib/log";
import { processWebhookDelivery } from "@/lib/webhooks/process";
import { receiveWebhook } from "@/lib/webhooks/receive";

export async function POST(request: Request): Promise<Response> {
  return receiveWebhook(request, {
    db: getDb,
    secrets: env().webhookSecrets,
    schedule: (deliveryId) =>
      after(async () => {
        try {
          await processWebhookDelivery(await getDb(), basiq("background"), deliveryId);
        } catch (e) {
          log.error({ deliveryId, err: e instanceof Error ? e.name : "error" }, "webhook processing crashed");
        }
      }),
  });
}
