import "server-only";

// One incident per rule and dedupe key while it lasts (a partial unique index makes that hold across instances):
// a condition seen again does nothing; a condition gone resolves the incident. Each change creates one delivery per
// channel of the rule and event ("opened", "resolved"; unique), which lib/alerts/deliver.ts sends.
import { sql } from "drizzle-orm";

import { type Database, rowsOf } from "@/lib/db";

export interface Finding {
  /** Stable identity of the condition, e.g. `connector:AU00000:web`: ids only, never personal data. */
  key: string;
  summary: string;
}

export interface RuleRef {
  id: number;
  channelIds: number[];
}

/**
 * Opens an incident for every finding not already open, and resolves the rule's open incidents whose key is in
 * `scope` but no longer found. Returns the deliveries it created (to be sent).
 */
export async function reconcile(
  db: Database,
  rule: RuleRef,
  findings: Finding[],
  scope: (key: string) => boolean = () => true,
): Promise<number[]> {
  const deliveries: number[] = [];
  for (const f of findings) {
    const [opened] = rowsOf<{ id: number }>(
      await db.execute(sql`
        insert into alert_incidents (rule_id, dedupe_key, summary) values (${rule.id}, ${f.key}, ${f.summary})
        on conflict (rule_id, dedupe_key) where status = 'open' do nothing
        returning id`),
    );
    if (opened) deliveries.push(...(await createDeliveries(db, Number(opened.id), rule.channelIds, "opened")));
  }
  const found = new Set(findings.map((f) => f.key));
  const open = rowsOf<{ id: number; dedupe_key: string }>(
    await db.execute(sql`select id, dedupe_key from alert_incidents where rule_id = ${rule.id} and status = 'open'`),
  );
  for (const incident of open.filter((i) => scope(i.dedupe_key) && !found.has(i.dedupe_key))) {
    const [resolved] = rowsOf<{ id: number }>(
      await db.execute(sql`
        update alert_incidents set status = 'resolved', resolved_at = now()
        where id = ${incident.id} and status = 'open' returning id`),
    );
    if (resolved) deliveries.push(...(await createDeliveries(db, Number(resolved.id), rule.channelIds, "resolved")));
  }
  return deliveries;
}

async function createDeliveries(db: Database, incidentId: number, channelIds: number[], event: "opened" | "resolved"): Promise<number[]> {
  const ids: number[] = [];
  for (const channelId of channelIds) {
    const [row] = rowsOf<{ id: number }>(
      await db.execute(sql`
        insert into alert_deliveries (incident_id, channel_id, event)
        select ${incidentId}, id, ${event} from alert_channels where id = ${channelId} and enabled
        on conflict (incident_id, channel_id, event) do nothing
        returning id`),
    );
    if (row) ids.push(Number(row.id));
  }
  return ids;
}
