import "server-only";

// Sending one delivery (incident × channel × event): an idempotent handler — a delivery already sent is not sent
// again — that throws on failure so the job engine retries it (lib/alerts/queues.ts). Until the engine runs it,
// dispatchDeliveries() sends in-process with a few retries.
import { sql } from "drizzle-orm";

import { getDb, rowsOf } from "@/lib/db";
import { log } from "@/lib/log";
import { recordAlertDelivery } from "@/lib/observability/metrics";

import { DeliveryError, openTarget, send } from "./channels";
import type { ChannelKind } from "./rules";

interface DeliveryRow {
  id: number;
  event: "opened" | "resolved";
  status: string;
  summary: string;
  opened_at: string | Date;
  resolved_at: string | Date | null;
  rule_name: string;
  channel_id: number;
  channel_kind: ChannelKind;
  channel_target: string;
  channel_enabled: boolean;
}

export async function deliverAlert(data: { deliveryId: number }): Promise<void> {
  const db = await getDb();
  const [d] = rowsOf<DeliveryRow>(
    await db.execute(sql`
      select d.id, d.event, d.status, i.summary, i.opened_at, i.resolved_at, r.name as rule_name,
        c.id as channel_id, c.kind as channel_kind, c.target as channel_target, c.enabled as channel_enabled
      from alert_deliveries d
      join alert_incidents i on i.id = d.incident_id
      join alert_rules r on r.id = i.rule_id
      join alert_channels c on c.id = d.channel_id
      where d.id = ${data.deliveryId}`),
  );
  if (!d || d.status === "sent") return; // gone with its channel, or already delivered: nothing to do
  if (!d.channel_enabled) {
    await db.execute(sql`update alert_deliveries set status = 'skipped', last_error = 'channel disabled' where id = ${d.id} and status <> 'sent'`);
    return;
  }
  const resolved = d.event === "resolved";
  const note = {
    subject: `${resolved ? "[RESOLVED]" : "[ALERT]"} ${d.rule_name}`,
    text: `${d.summary}\n${resolved ? `Resolved at ${new Date(d.resolved_at!).toISOString()} (opened ${new Date(d.opened_at).toISOString()}).` : `Since ${new Date(d.opened_at).toISOString()}.`}`,
  };
  try {
    await send(d.channel_kind, openTarget(d.channel_kind, Number(d.channel_id), d.channel_target), note);
  } catch (error) {
    const message = error instanceof DeliveryError ? error.message : "could not send";
    await db.execute(sql`
      update alert_deliveries set attempts = attempts + 1, status = 'failed', last_error = ${message}
      where id = ${d.id} and status <> 'sent'`);
    recordAlertDelivery(d.channel_kind, "failed");
    throw error instanceof DeliveryError ? error : new DeliveryError(message);
  }
  await db.execute(sql`
    update alert_deliveries set attempts = attempts + 1, status = 'sent', last_error = null, sent_at = now()
    where id = ${d.id}`);
  recordAlertDelivery(d.channel_kind, "sent");
}

// In-process delivery until the job engine takes the queue: a few attempts with growing waits, tracked so tests
// (and a graceful stop) can wait for them.
const globalForDispatch = globalThis as unknown as { alertDispatches?: Set<Promise<void>>; alertRetryDelaysMs?: number[] };
const pending = (globalForDispatch.alertDispatches ??= new Set());

export function setInProcessRetryDelays(delaysMs: number[]): void {
  globalForDispatch.alertRetryDelaysMs = delaysMs;
}

async function deliverWithRetries(deliveryId: number): Promise<void> {
  const delays = globalForDispatch.alertRetryDelaysMs ?? [2_000, 10_000, 30_000];
  for (let attempt = 0; ; attempt++) {
    try {
      return await deliverAlert({ deliveryId });
    } catch (error) {
      if (attempt >= delays.length) {
        log.warn({ deliveryId, attempts: attempt + 1, errorType: (error as Error)?.name }, "alert delivery failed; giving up");
        return;
      }
      await new Promise((resolve) => setTimeout(resolve, delays[attempt]));
    }
  }
}

export function dispatchDeliveries(ids: number[]): void {
  for (const id of ids) {
    const p = deliverWithRetries(id).finally(() => pending.delete(p));
    pending.add(p);
  }
}

/** Resolves when every in-process delivery started so far has finished (sent or given up). */
export async function settleAlertDeliveries(): Promise<void> {
  while (pending.size > 0) await Promise.all([...pending]);
}
