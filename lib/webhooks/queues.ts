import "server-only";

// Queue definitions for the engine (lib/queue, pg-boss): the integrator registers these. Until then the route
// triggers processing in-process with after(), and the server's start-up runs processPendingDeliveries.
import { basiq } from "@/lib/basiq";
import { getDb } from "@/lib/db";

import { processWebhookDelivery } from "./process";

export const WEBHOOK_QUEUE = "basiq-webhook-delivery";

/** Idempotent: a processed delivery is left alone; a failed one throws so the queue retries it. */
export async function webhookDeliveryHandler(data: { deliveryId: string }): Promise<void> {
  const outcome = await processWebhookDelivery(await getDb(), basiq("background"), data.deliveryId);
  if (outcome === "failed") throw new Error("webhook delivery processing failed; retrying");
}

export const webhookQueues = [
  {
    name: WEBHOOK_QUEUE,
    handler: webhookDeliveryHandler,
    options: { retryLimit: 8, retryBackoff: true, expireInSeconds: 300 },
  },
];
