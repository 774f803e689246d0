import "server-only";

// Keeping our copy of Basiq's connector list: the latest state per connector and a history row for every status
// change, so a connector's timeline and "when did the outage start" survive Basiq's own view of "now".
import { sql } from "drizzle-orm";

import { onConnectorStatusChanges, safely } from "@/lib/alerts/evaluate";
import type { BasiqClient } from "@/lib/basiq/client";
import type { Connector } from "@/lib/basiq/schemas";
import { rowsOf, type Database } from "@/lib/db";
import { connectorStatusHistory, connectors } from "@/lib/db/schema";
import { ADVISORY_LOCKS, xactLock } from "@/lib/db/advisory-locks";

export interface ConnectorRefreshResult {
  connectors: number;
  changes: { id: string; method: string; from: string | null; to: string }[];
}

function values(c: Connector, now: Date) {
  return {
    id: c.id,
    method: c.method,
    name: c.institution.name,
    shortName: c.institution.shortName ?? null,
    logoUrl: c.institution.logo?.links?.square ?? c.institution.logo?.links?.full ?? null,
    institutionType: c.institution.type ?? null,
    tier: c.institution.tier ?? null,
    stage: c.stage ?? null,
    status: c.status,
    authorizationType: c.authorization?.type ?? null,
    scopes: c.scopes ?? [],
    averageDurationMs: (c.stats?.averageDurationMs as Record<string, number> | undefined) ?? null,
    fetchedAt: now,
  };
}

/** Stores a fresh connector list; returns the status changes it saw (a first sighting counts as one). */
export async function storeConnectors(db: Database, list: Connector[], now = new Date()): Promise<ConnectorRefreshResult> {
  const result = await db.transaction(async (tx) => {
    // Instances refreshing at the same moment take turns, so one change is recorded once.
    await tx.execute(xactLock(ADVISORY_LOCKS.connectorRefresh));
    const previous = new Map(
      rowsOf<{ id: string; method: string; status: string }>(
        await tx.execute(sql`select id, method, status from ${connectors}`),
      ).map((r) => [`${r.id}/${r.method}`, r.status]),
    );
    const changes: ConnectorRefreshResult["changes"] = [];
    for (const c of list) {
      const before = previous.get(`${c.id}/${c.method}`);
      const changed = before !== c.status;
      await tx
        .insert(connectors)
        .values({ ...values(c, now), statusSince: now })
        .onConflictDoUpdate({
          target: [connectors.id, connectors.method],
          set: { ...values(c, now), ...(changed ? { statusSince: now } : {}) },
        });
      if (changed) {
        changes.push({ id: c.id, method: c.method, from: before ?? null, to: c.status });
        await tx.insert(connectorStatusHistory).values({
          connectorId: c.id,
          method: c.method,
          status: c.status,
          previousStatus: before ?? null,
          stage: c.stage ?? null,
          observedAt: now,
        });
      }
    }
    return { connectors: list.length, changes };
  });
  // Alert rules on connector status (lib/alerts): after the commit, never failing the refresh.
  await safely("connector status", () => onConnectorStatusChanges(db, result.changes));
  return result;
}

export async function refreshConnectors(db: Database, client: BasiqClient): Promise<ConnectorRefreshResult> {
  return storeConnectors(db, await client.listConnectors());
}
