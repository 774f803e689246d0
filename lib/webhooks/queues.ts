import "server-only";

// Webhook processing on the job engine (lib/queue, pg-boss). The receiver stores a verified delivery, then
// enqueues one "basiq-webhook-delivery" job for it and answers; a worker on any instance processes it
// (lib/webhooks/process.ts: lease, GET /events/{eventId}, ledger claim, act) and a failure is retried by the engine
// with backoff until its retries are spent (then it is a failed job and a dead letter on /operations, with retry).
// "basiq-webhook-recover" runs on a cron (every 5 minutes, once across instances): it enqueues the deliveries that
// were stored but never got a job (the process stopped between the two) and prunes old records.
import { eq } from "drizzle-orm";
import { z } from "zod";

import { basiq } from "@/lib/basiq";
import type { BasiqClient } from "@/lib/basiq/client";
import { getDb, type Database } from "@/lib/db/client";
import { webhookDeliveries } from "@/lib/db/schema";
import { env } from "@/lib/env";
import { log } from "@/lib/log";
import { enqueueMany } from "@/lib/queue/engine";
import type { QueueDefinition, QueueOptions } from "@/lib/queue/types";

import { processWebhookDelivery, pruneWebhookRecords, releaseDeadLease, unqueuedDeliveries, type ProcessOutcome } from "./process";

export const WEBHOOK_QUEUE = "basiq-webhook-delivery";
export const WEBHOOK_RECOVER_QUEUE = "basiq-webhook-recover";
/** A delivery is recovered when it has had no job for this long (the receiver enqueues right after storing). */
export const RECOVER_AFTER_MS = 2 * 60_000;

const jobData = z.object({ deliveryId: z.string().min(1).max(200) }).strict();

export interface WebhookQueueDeps {
  getDb: () => Promise<Database>;
  client: () => BasiqClient;
  /** Overrides of the processing queue's options (tests: short retry delays and expiry). */
  processing?: Partial<QueueOptions>;
  /** The recovery's cron (default: every 5 minutes while webhooks are configured). */
  recoverCron?: () => string | undefined;
  recoverAfterMs?: number;
}

/**
 * One job: process the delivery. Idempotent: a processed delivery is left alone. It throws — so the engine
 * retries — when processing failed, or when another worker holds the delivery's lease (a resend's second job, or
 * a retry while the first attempt still runs): the retry finds it processed, or the lease expired.
 */
export async function runWebhookJob(db: Database, client: BasiqClient, deliveryId: string): Promise<ProcessOutcome> {
  await releaseDeadLease(db, deliveryId);
  const outcome = await processWebhookDelivery(db, client, deliveryId);
  if (outcome === "failed") throw new Error("webhook delivery processing failed; retrying");
  if (outcome === "busy") {
    const [row] = await db.select({ processedAt: webhookDeliveries.processedAt }).from(webhookDeliveries).where(eq(webhookDeliveries.id, deliveryId));
    if (row && row.processedAt === null) throw new Error("the delivery is being processed by another worker; retrying");
  }
  return outcome;
}

export function createWebhookQueues(deps: WebhookQueueDeps): QueueDefinition[] {
  return [
    {
      name: WEBHOOK_QUEUE,
      handler: async (data: unknown) => {
        const { deliveryId } = jobData.parse(data);
        await runWebhookJob(await deps.getDb(), deps.client(), deliveryId);
      },
      options: { retryLimit: 8, retryDelay: 10, retryBackoff: true, expireInSeconds: 300, localConcurrency: 2, ...deps.processing },
    },
    {
      name: WEBHOOK_RECOVER_QUEUE,
      handler: async () => {
        const db = await deps.getDb();
        await pruneWebhookRecords(db);
        const ids = await unqueuedDeliveries(db, WEBHOOK_QUEUE, { olderThanMs: deps.recoverAfterMs ?? RECOVER_AFTER_MS });
        if (ids.length === 0) return;
        await enqueueMany(WEBHOOK_QUEUE, ids.map((deliveryId) => ({ data: { deliveryId } })));
        log.info({ deliveries: ids.length }, "stored webhook deliveries without a job enqueued");
      },
      get options() {
        return {
          policy: "stately" as const,
          retryLimit: 1,
          expireInSeconds: 300,
          cron: deps.recoverCron ? deps.recoverCron() : env().webhookSecrets.length > 0 ? "*/5 * * * *" : undefined,
          cronData: {},
        };
      },
    },
  ];
}

export const webhookQueues: QueueDefinition[] = createWebhookQueues({ getDb, client: () => basiq("background") });
