import "server-only";

// What the verdict needs from the database: a connector's status observations up to a failure's time (the last
// one at or before it is enough) and its status now. No Basiq call: connector_status_history is kept by the
// connector refresh (lib/connectors/refresh.ts).
import { and, desc, eq, lte } from "drizzle-orm";

import type { FailedStep } from "@/lib/basiq/job-codes";
import type { Database } from "@/lib/db";
import { connectorStatusHistory, connectors } from "@/lib/db/schema";

import { type StatusObservation, type Verdict, verdictFor } from "./verdict";

export async function connectorObservations(
  db: Database,
  connectorId: string,
  method: string,
  at: string | null,
): Promise<{ history: StatusObservation[]; statusNow: string | null; name: string | null }> {
  const when = at ? new Date(at) : null;
  const [before, [now]] = await Promise.all([
    when && !Number.isNaN(when.getTime())
      ? db
          .select({ status: connectorStatusHistory.status, observedAt: connectorStatusHistory.observedAt })
          .from(connectorStatusHistory)
          .where(
            and(
              eq(connectorStatusHistory.connectorId, connectorId),
              eq(connectorStatusHistory.method, method),
              lte(connectorStatusHistory.observedAt, when),
            ),
          )
          .orderBy(desc(connectorStatusHistory.observedAt))
          .limit(1)
      : Promise.resolve([]),
    db
      .select({ status: connectors.status, name: connectors.name })
      .from(connectors)
      .where(and(eq(connectors.id, connectorId), eq(connectors.method, method)))
      .limit(1),
  ]);
  return {
    history: before.map((h) => ({ status: h.status, observedAt: h.observedAt.toISOString() })),
    statusNow: now?.status ?? null,
    name: now?.name ?? null,
  };
}

/** The verdict of one failed step, reading the connector's status at `failedAt` from the history. */
export async function verdictOfFailure(
  db: Database,
  step: FailedStep,
  failedAt: string | null,
  connector: { id: string; method: string; name?: string | null } | null,
): Promise<Verdict> {
  if (!connector) return verdictFor({ step, failedAt, connector: null, history: [] });
  const seen = await connectorObservations(db, connector.id, connector.method, failedAt);
  return verdictFor({
    step,
    failedAt,
    connector: { id: connector.id, method: connector.method, name: connector.name ?? seen.name },
    history: seen.history,
    statusNow: seen.statusNow,
  });
}
