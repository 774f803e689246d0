import "server-only";

// Processing a stored webhook delivery (issue 17 §1), idempotent and safe to run any number of times, from any
// instance: the job engine's worker runs it for every job the receiver (or the recovery job) enqueued
// (lib/webhooks/queues.ts), and a resend or a retry may run it again.
//   1. lease the row (one processor at a time; a dead instance's lease is taken over, lib/db/instance.ts);
//   2. fetch the event the thin payload points to (GET /events/{eventId});
//   3. claim the event id in basiq_event_ledger — the one ledger the events sync (lib/directory/events.ts) uses —
//      and mark the delivery as the claimer, in one transaction: whoever claims first acts, everyone else is a
//      duplicate, and a claimer that died mid-way finishes its work on the next run instead of skipping it;
//   4. act through the same path as the events sync (applyEvents), then, for a connection invalidated or new data,
//      fetch that user's jobs at once so a failure is in the error log within seconds;
//   5. mark the delivery processed.
import { and, eq, isNull, lt, or, sql } from "drizzle-orm";

import type { BasiqClient } from "@/lib/basiq/client";
import { isBasiqError, isBasiqNotFound } from "@/lib/basiq/errors";
import { rowsOf, type Database } from "@/lib/db";
import { instanceId, isInstanceAlive } from "@/lib/db/instance";
import { basiqEventLedger, webhookDeliveries } from "@/lib/db/schema";
import { applyEvents, type FeedEvent } from "@/lib/directory/events";
import { storeUserJobs } from "@/lib/jobs/store";
import { log } from "@/lib/log";
import { recordWebhookDelivery } from "@/lib/observability/metrics";
import { QUEUE_SCHEMA } from "@/lib/queue/engine";

export const WEBHOOK_LEDGER_SOURCE = "webhook";
const LEASE_MS = 5 * 60_000;
/** Events after which the user's jobs are fetched at once (the error log and freshness are current in seconds). */
const FETCH_JOBS_ON = new Set(["connection.invalidated", "connection.activated", "account.updated", "transactions.updated"]);

export type ProcessOutcome = "processed" | "duplicate" | "ignored" | "failed" | "busy";

function describe(error: unknown): string {
  if (isBasiqError(error)) return `${error.name}${error.status ? ` ${error.status}` : ""} on ${error.route}`;
  return error instanceof Error ? error.name : "error";
}

async function finish(db: Database, id: string, status: "processed" | "duplicate" | "ignored", detail: string | null) {
  recordWebhookDelivery(status === "duplicate" ? "duplicate" : "ok");
  await db
    .update(webhookDeliveries)
    .set({ status, detail, processedAt: new Date(), lockedBy: null, lockedUntil: null })
    .where(eq(webhookDeliveries.id, id));
}

async function fail(db: Database, id: string, detail: string) {
  recordWebhookDelivery("failed");
  await db.update(webhookDeliveries).set({ status: "failed", detail, lockedBy: null, lockedUntil: null }).where(eq(webhookDeliveries.id, id));
}

export async function processWebhookDelivery(db: Database, client: BasiqClient, id: string): Promise<ProcessOutcome> {
  const now = new Date();
  const [row] = await db
    .update(webhookDeliveries)
    .set({ lockedBy: instanceId(), lockedUntil: new Date(now.getTime() + LEASE_MS), attempts: sql`${webhookDeliveries.attempts} + 1` })
    .where(
      and(
        eq(webhookDeliveries.id, id),
        isNull(webhookDeliveries.processedAt),
        or(isNull(webhookDeliveries.lockedBy), lt(webhookDeliveries.lockedUntil, now)),
      ),
    )
    .returning();
  if (!row) return "busy";

  if (!row.eventId) {
    await finish(db, id, "ignored", "The payload names no eventId.");
    return "ignored";
  }
  let event;
  try {
    event = await client.getEvent(row.eventId, { lane: "background" });
  } catch (error) {
    if (isBasiqNotFound(error)) {
      await finish(db, id, "ignored", "Basiq has no such event (a test message, or older than 7 days).");
      return "ignored";
    }
    await fail(db, id, `Fetching the event failed: ${describe(error)}.`);
    log.warn({ deliveryId: id, eventId: row.eventId, err: describe(error) }, "webhook processing failed; it will be retried");
    return "failed";
  }
  const type = `${event.entity}.${event.eventType}`;
  const at = Date.parse(event.createdDate);
  const feedEvent: FeedEvent = { id: event.id, userId: event.userId, type, at: Number.isFinite(at) ? at : Date.now(), createdDate: event.createdDate };

  // Claim the event (or find that this delivery already did, before a crash), atomically with marking the row.
  const claim = await db.transaction(async (tx) => {
    const claimed = await tx
      .insert(basiqEventLedger)
      .values({ eventId: event.id, type, userId: event.userId, createdAt: new Date(feedEvent.at), source: WEBHOOK_LEDGER_SOURCE })
      .onConflictDoNothing()
      .returning({ eventId: basiqEventLedger.eventId });
    if (claimed.length > 0) {
      await tx.update(webhookDeliveries).set({ claimed: true, eventTypeId: type }).where(eq(webhookDeliveries.id, id));
      return "mine" as const;
    }
    return row.claimed ? ("mine" as const) : ("taken" as const);
  });
  if (claim === "taken") {
    await finish(db, id, "duplicate", "Already processed (the events sync or an earlier delivery of this event).");
    return "duplicate";
  }

  try {
    const applied = await applyEvents(db, client.inLane("background"), [feedEvent]);
    if (applied.failedUsers.length > 0) throw new Error("directory sync failed");
    if (FETCH_JOBS_ON.has(type)) await storeUserJobs(db, client.inLane("background"), event.userId);
  } catch (error) {
    // Give the event back: the next attempt (or the events sync) handles it.
    await db.transaction(async (tx) => {
      await tx.delete(basiqEventLedger).where(and(eq(basiqEventLedger.eventId, event.id), eq(basiqEventLedger.source, WEBHOOK_LEDGER_SOURCE)));
      await tx.update(webhookDeliveries).set({ claimed: false }).where(eq(webhookDeliveries.id, id));
    });
    await fail(db, id, `Acting on ${type} failed: ${describe(error)}.`);
    log.warn({ deliveryId: id, eventId: event.id, userId: event.userId, type }, "webhook processing failed; it will be retried");
    return "failed";
  }
  await finish(db, id, "processed", null);
  return "processed";
}

/** Delivery rows and the webhook's ledger rows are kept 30 days: Basiq's event feed and retries span far less. */
export const WEBHOOK_RETENTION_MS = 30 * 24 * 3600_000;

export async function pruneWebhookRecords(db: Database, now = Date.now()): Promise<void> {
  const before = new Date(now - WEBHOOK_RETENTION_MS);
  await db.delete(webhookDeliveries).where(lt(webhookDeliveries.processedAt, before));
  await db.delete(basiqEventLedger).where(and(eq(basiqEventLedger.source, WEBHOOK_LEDGER_SOURCE), lt(basiqEventLedger.processedAt, before)));
}

/**
 * A lease held by an instance that died (SIGKILL mid-processing) is released, so the job's retry can take the
 * delivery over at once instead of waiting out the lease. A live holder's lease is left alone.
 */
export async function releaseDeadLease(db: Database, id: string): Promise<void> {
  const [row] = await db.select({ lockedBy: webhookDeliveries.lockedBy }).from(webhookDeliveries).where(eq(webhookDeliveries.id, id));
  const holder = row?.lockedBy;
  if (!holder || holder === instanceId() || (await isInstanceAlive(db, holder))) return;
  await db
    .update(webhookDeliveries)
    .set({ lockedBy: null, lockedUntil: null })
    .where(and(eq(webhookDeliveries.id, id), eq(webhookDeliveries.lockedBy, holder)));
}

/**
 * Stored deliveries that have no processing job at all (the process stopped between storing one and enqueueing
 * its job), received more than `olderThanMs` ago (a receiver enqueues right after storing): oldest first. A
 * delivery whose job failed every retry is not here: it is a dead letter on /operations, retried from there.
 */
export async function unqueuedDeliveries(db: Database, queue: string, options: { olderThanMs: number; limit?: number }): Promise<string[]> {
  const before = new Date(Date.now() - options.olderThanMs).toISOString();
  const rows = rowsOf<{ id: string }>(
    await db.execute(sql`
      select d.id from webhook_deliveries d
      where d.processed_at is null and d.received_at <= ${before}::timestamptz
        and not exists (select 1 from ${sql.identifier(QUEUE_SCHEMA)}.job j where j.name = ${queue} and j.data->>'deliveryId' = d.id)
      order by d.received_at limit ${options.limit ?? 1000}`),
  );
  return rows.map((r) => r.id);
}
