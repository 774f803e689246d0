import "server-only";

// Sending one delivery (incident × channel × event): an idempotent handler — a delivery already sent is not sent
// again — that throws on failure so the job engine retries it (lib/alerts/queues.ts). dispatchDeliveries() hands
// new deliveries to the engine, one job each.
import { sql } from "drizzle-orm";

import { type Database, getDb, rowsOf } from "@/lib/db";
import { log } from "@/lib/log";
import { recordAlertDelivery } from "@/lib/observability/metrics";
import { enqueueMany, QUEUE_SCHEMA } from "@/lib/queue/engine";

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

export const ALERT_DELIVER_QUEUE = "alerts-deliver";
export const ALERT_EVALUATE_QUEUE = "alerts-evaluate";

/**
 * One engine job per new delivery. If the engine cannot take them now, the rows stay "pending" and the next
 * evaluation enqueues them (pendingUnqueued); the caller (a connector refresh, an evaluation) is never broken.
 */
export async function dispatchDeliveries(ids: number[]): Promise<void> {
  if (ids.length === 0) return;
  try {
    await enqueueMany(ALERT_DELIVER_QUEUE, ids.map((deliveryId) => ({ data: { deliveryId } })));
  } catch (error) {
    log.warn({ deliveries: ids.length, err: error instanceof Error ? error.message.slice(0, 200) : "error" }, "alert deliveries not enqueued; the next evaluation will");
  }
}

/** Deliveries still pending a minute after they were created that have no engine job (never enqueued). */
export async function pendingUnqueued(db: Database): Promise<number[]> {
  const rows = rowsOf<{ id: number }>(
    await db.execute(sql`
      select d.id from alert_deliveries d
      where d.status = 'pending' and d.created_at < now() - interval '1 minute'
        and not exists (select 1 from ${sql.identifier(QUEUE_SCHEMA)}.job j where j.name = ${ALERT_DELIVER_QUEUE} and j.data->>'deliveryId' = d.id::text)
      order by d.id limit 500`),
  );
  return rows.map((r) => Number(r.id));
}
