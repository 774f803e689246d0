import "server-only";

// POST /api/basiq/webhooks (issue 17 §1): a public route — Basiq has no staff session and sends no Origin — so
// the signature is its only authentication. Durable first, then a fast 2xx: a verified delivery is inserted (unique
// on webhook-id), its processing job is enqueued on the job engine (`schedule`: lib/webhooks/queues.ts), and only
// then is it answered. If the enqueue fails the delivery is still stored, and the recovery job enqueues it later.
// Refusals store nothing: they are counted (recordWebhookRefusal) and answered 401 (413 for an oversized body).
import { sql } from "drizzle-orm";

import type { Database } from "@/lib/db";
import { webhookDeliveries } from "@/lib/db/schema";
import { log } from "@/lib/log";
import { recordWebhookDelivery } from "@/lib/observability/metrics";

import { recordWebhookRefusal } from "./refusals";
import { verifyDelivery } from "./verify";

export const WEBHOOK_BODY_LIMIT_BYTES = 256 * 1024;

export interface ReceiveOptions {
  db: () => Promise<Database>;
  /** Current secret first; empty = webhooks are not configured (404). */
  secrets: readonly string[];
  /** Hands a stored delivery to its processing (the route: enqueue a job on the job engine). */
  schedule: (deliveryId: string) => Promise<unknown> | void;
}

const json = (status: number, body: unknown) =>
  Response.json(body, { status, headers: { "cache-control": "no-store" } });

/** The body as text, or null once it is over the limit (read no further). */
async function readCapped(request: Request, limit: number): Promise<string | null> {
  const declared = Number(request.headers.get("content-length") ?? "0");
  if (Number.isFinite(declared) && declared > limit) return null;
  const reader = request.body?.getReader();
  if (!reader) return "";
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > limit) {
      reader.cancel().catch(() => {});
      return null;
    }
    chunks.push(value);
  }
  return new TextDecoder("utf-8").decode(Buffer.concat(chunks));
}

/** `eventTypeId` and `eventId` of Basiq's thin payload, read tolerantly (anything else is left to processing). */
export function payloadFields(rawBody: string): { eventTypeId: string | null; eventId: string | null } {
  try {
    const body: unknown = JSON.parse(rawBody);
    if (typeof body !== "object" || body === null) return { eventTypeId: null, eventId: null };
    const { eventTypeId, eventId } = body as Record<string, unknown>;
    // Printable ASCII only (Basiq's ids and type names are): a NUL or other control character never reaches SQL.
    const text = (v: unknown) => (typeof v === "string" && /^[\x21-\x7e]{1,200}$/.test(v) ? v : null);
    return { eventTypeId: text(eventTypeId), eventId: text(eventId) };
  } catch {
    return { eventTypeId: null, eventId: null };
  }
}

export async function receiveWebhook(request: Request, options: ReceiveOptions): Promise<Response> {
  if (options.secrets.length === 0) return json(404, { error: "Not found." });
  const rawBody = await readCapped(request, WEBHOOK_BODY_LIMIT_BYTES);
  if (rawBody === null) {
    recordWebhookRefusal("too-large");
    recordWebhookDelivery("rejected");
    return json(413, { error: "Request too large: a webhook delivery is limited to 256 KB." });
  }
  const verified = verifyDelivery(rawBody, request.headers, options.secrets);
  if (!verified.ok) {
    recordWebhookRefusal(verified.reason);
    recordWebhookDelivery("rejected");
    log.warn({ reason: verified.reason }, "webhook delivery refused");
    return json(401, { error: "Invalid webhook signature." });
  }

  const { eventTypeId, eventId } = payloadFields(rawBody);
  const db = await options.db();
  const inserted = await db
    .insert(webhookDeliveries)
    .values({ id: verified.id, signedAt: verified.signedAt, eventTypeId, eventId })
    .onConflictDoUpdate({ target: webhookDeliveries.id, set: { resends: sql`${webhookDeliveries.resends} + 1` } })
    .returning({ resends: webhookDeliveries.resends, processedAt: webhookDeliveries.processedAt });
  const row = inserted[0];
  if (row && row.resends === 0) recordWebhookDelivery("accepted");
  // A resend of a delivery not yet processed (the first attempt's processing failed or was cut off) retries it.
  if (row && row.processedAt === null) {
    try {
      await options.schedule(verified.id);
    } catch (e) {
      log.warn({ deliveryId: verified.id, err: e instanceof Error ? e.message.slice(0, 200) : "error" }, "webhook delivery stored but not enqueued; the recovery job will");
    }
  }
  return json(row && row.resends > 0 ? 200 : 202, { received: true });
}
