// POST /api/basiq/webhooks: Basiq's signed webhook deliveries (issue 17 §1). Public on purpose — Basiq has no
// staff session and sends no Origin — so it is authenticated by its Standard Webhooks signature alone
// (lib/webhooks/receive.ts); proxy.ts only checks server-action requests, which this is not.
import { getDb } from "@/lib/db";
import { env } from "@/lib/env";
import { enqueue } from "@/lib/queue/engine";
import { WEBHOOK_QUEUE } from "@/lib/webhooks/queues";
import { receiveWebhook } from "@/lib/webhooks/receive";

export async function POST(request: Request): Promise<Response> {
  return receiveWebhook(request, {
    db: getDb,
    secrets: env().webhookSecrets,
    // Processing is a job on the engine (lib/webhooks/queues.ts): retried with backoff, taken up by any instance.
    schedule: (deliveryId) => enqueue(WEBHOOK_QUEUE, { deliveryId }),
  });
}
