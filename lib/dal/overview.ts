import "server-only";

// The landing page's figures, each the head of a filtered list. Everything here comes from our own tables
// (plus the stored connector list), so the overview renders even when Basiq is down.
import { desc } from "drizzle-orm";

import { requirePermission } from "@/lib/auth/session";
import { basiq, type BasiqMetrics } from "@/lib/basiq";
import { databaseQueryCount, getDb } from "@/lib/db";
import { sweepRuns } from "@/lib/db/schema";
import { eventsSyncStatus } from "@/lib/directory/events";
import { directoryFigures, failedJobsByCode, failureWindow, type Figure } from "@/lib/overview/figures";
import { webhookSummary, type WebhookSummaryDTO } from "@/lib/webhooks/health";
import { metrics } from "@/lib/observability/metrics";
import { type FleetFigures, readFleetFigures } from "@/lib/observability/snapshot";

import { type AttentionConnectorDTO, connectorsNeedingAttention } from "./connectors";

export interface OverviewDTO {
  usersInDirectory: number;
  lastDirectorySync: string | null;
  /** Users with a connection in each status (the users list's status filter, counted by its query). */
  usersByStatus: Figure[];
  /** Failed jobs per code since `failedFrom` (the error log's code + from filter, counted by its query). */
  failedByCode: Figure[];
  /** The error log's `from` date (yyyy-mm-dd, UTC) of the failed-jobs window. */
  failedFrom: string;
  usersFigure: Figure;
  connectorsNeedingAttention: AttentionConnectorDTO[];
  connectorsFetchedAt: string | null;
  connectorsProblem: boolean;
  /** Basiq refused our API key on the last token request (none succeeded since): every live page is stale. */
  basiqKeyRefused: boolean;
  lastSweep: { status: string; finishedAt: string | null; startedAt: string; usersChecked: number; newFailures: number; errors: number } | null;
  /** The events sync's last successful run, and a warning when it is older than Basiq's 7-day events window. */
  eventsSync: { lastSyncAt: string | null; warning: string | null };
}

// One statement per source (issue 15): the caller (read once per request), the directory's figures, the failed
// jobs, the last sweep, the events cursor and the stored connector list (its failure figures are kept a minute).
export async function getOverview(): Promise<OverviewDTO> {
  await requirePermission("overview.read");
  const db = await getDb();
  const window = failureWindow();
  const [directory, failed, [sweep], connectorList, eventsSync] = await Promise.all([
    directoryFigures(db),
    failedJobsByCode(db, window),
    db.select().from(sweepRuns).orderBy(desc(sweepRuns.id)).limit(1),
    connectorsNeedingAttention(),
    eventsSyncStatus(db),
  ]);
  return {
    usersInDirectory: directory.users,
    lastDirectorySync: directory.lastSyncedAt,
    usersByStatus: directory.usersByStatus,
    failedFrom: window.from,
    failedByCode: failed,
    usersFigure: directory.usersFigure,
    connectorsNeedingAttention: connectorList.rows,
    connectorsFetchedAt: connectorList.fetchedAt,
    connectorsProblem: connectorList.problem !== null,
    basiqKeyRefused: basiq().metrics().tokenFailure?.keyRefused === true,
    lastSweep: sweep
      ? {
          status: sweep.status,
          startedAt: sweep.startedAt.toISOString(),
          finishedAt: sweep.finishedAt?.toISOString() ?? null,
          usersChecked: sweep.usersChecked,
          newFailures: sweep.newFailures,
          errors: sweep.errors,
        }
      : null,
    eventsSync,
  };
}

export interface IntegrationHealthDTO extends BasiqMetrics {
  /** Database statements this process has run since it started. */
  databaseQueries: number;
  /** Basiq webhook deliveries: the last one and failures in 24 h (lib/webhooks/health.ts). */
  webhooks: WebhookSummaryDTO;
  /** Fleet-wide, from the database (the same reads as /api/metrics): job-engine queues and the latest sweep. */
  fleet: FleetFigures;
}

/**
 * Admins: how this process's Basiq client (and database use) is doing, plus the fleet's queues and sweep. The
 * per-route figures are read from the Prometheus registry (lib/observability/metrics.ts) that /api/metrics serves,
 * so the panel and a scrape agree. Counters only: no token, no key, no ids.
 */
export async function getIntegrationHealth(): Promise<IntegrationHealthDTO> {
  await requirePermission("integration.health");
  const m = basiq().metrics();
  const [byRoute, fleet, webhooks] = await Promise.all([basiqRouteFigures(m.byRoute), readFleetFigures(), webhookSummary(await getDb())]);
  return { ...m, byRoute, tokenRequests: { ...m.tokenRequests, timestamps: [] }, databaseQueries: databaseQueryCount(), fleet, webhooks };
}

/** Calls, 429s and 5xx per route from the registry's basiq_requests_total; the last Retry-After from the client. */
async function basiqRouteFigures(client: BasiqMetrics["byRoute"]): Promise<BasiqMetrics["byRoute"]> {
  const figures: BasiqMetrics["byRoute"] = {};
  for (const { labels, value } of (await metrics().basiqRequests.get()).values) {
    const route = String(labels.route);
    const status = Number(labels.status);
    const entry = (figures[route] ??= { calls: 0, status429: 0, status5xx: 0, lastRetryAfterSeconds: client[route]?.lastRetryAfterSeconds ?? null });
    entry.calls += value;
    if (status === 429) entry.status429 += value;
    if (status >= 500 && status <= 599) entry.status5xx += value;
  }
  return figures;
}
