import "server-only";

// Connector status for every role: our stored copy of Basiq's connector list, refreshed when older than
// CONNECTOR_CACHE_SECONDS (and every CONNECTOR_REFRESH_MINUTES by the server), joined with what our own job
// history says about each institution. If Basiq cannot be reached the last known statuses are shown with their age.
import { and, asc, desc, eq, gte, sql } from "drizzle-orm";

import { recordAudit } from "@/lib/audit";
import { requirePermission } from "@/lib/auth/session";
import { basiq } from "@/lib/basiq";
import { isBasiqError } from "@/lib/basiq/errors";
import { institutionFailureStats, type InstitutionFailureStats } from "@/lib/connectors/health";
import { refreshConnectors } from "@/lib/connectors/refresh";
import { getDb, rowsOf } from "@/lib/db";
import { connectorStatusHistory, connectors } from "@/lib/db/schema";
import { env } from "@/lib/env";
import { NotFoundError } from "@/lib/errors";
import { log } from "@/lib/log";

import { basiqProblem, type BasiqProblemDTO } from "./basiq-problem";
import { byOrder, CONNECTOR_STATUS } from "@/lib/vocabulary";

type ConnectorRow = typeof connectors.$inferSelect;

export interface ConnectorDTO {
  id: string;
  method: string;
  name: string;
  shortName: string | null;
  logoUrl: string | null;
  institutionType: string | null;
  tier: string | null;
  stage: string | null;
  status: string;
  statusSince: string;
  /** True when the console saw the change to this status; false when it is the first status it ever saw ("seen since"). */
  statusSinceObserved: boolean;
  authorizationType: string | null;
  scopes: string[];
  failed24h: number;
  failed7d: number;
  connections: number;
  failingConnections: number;
  spike: boolean;
}

export interface ConnectorListDTO {
  rows: ConnectorDTO[];
  fetchedAt: string | null;
  problem: BasiqProblemDTO | null;
}

const globalForConnectors = globalThis as unknown as {
  connectorRefresh?: Promise<void>;
  connectorStats?: { at: number; stats: Map<string, InstitutionFailureStats> };
};

/** Refresh from Basiq now (single-flight per process). Throws what Basiq threw. */
async function refreshShared(): Promise<void> {
  globalForConnectors.connectorRefresh ??= (async () => {
    try {
      const result = await refreshConnectors(await getDb(), basiq());
      if (result.changes.length > 0) log.info({ changes: result.changes }, "connector status changes");
      globalForConnectors.connectorStats = undefined;
    } catch (e) {
      // Logged here, once, however many readers were waiting on this refresh.
      log.warn({ correlationId: isBasiqError(e) ? e.correlationId : undefined, route: "GET /connectors" }, "connector refresh failed: showing last known");
      throw e;
    } finally {
      globalForConnectors.connectorRefresh = undefined;
    }
  })();
  return globalForConnectors.connectorRefresh;
}

const isFresh = (at: Date | null): at is Date => at !== null && Date.now() - at.getTime() < env().connectorCacheSeconds * 1000;

/**
 * What the caller reads from the stored list, at most CONNECTOR_CACHE_SECONDS old: `read` returns it together with
 * the list's newest fetchedAt (one statement when the list is fresh); when it is older the list is refreshed from
 * Basiq and read again. If Basiq cannot be reached, the stored copy is returned with the problem.
 */
async function readFresh<T extends { newest: Date | null }>(read: () => Promise<T>): Promise<T & { problem: BasiqProblemDTO | null }> {
  const stored = await read();
  if (isFresh(stored.newest)) return { ...stored, problem: null };
  try {
    await refreshShared();
    return { ...(await read()), problem: null };
  } catch (e) {
    return { ...stored, problem: basiqProblem(e) };
  }
}

/** The newest fetchedAt of the stored list, as a column of the caller's own statement. */
const newestFetchedAt = sql<string | Date | null>`(select max(${connectors.fetchedAt}) from ${connectors})`;
const asDate = (at: string | Date | null | undefined): Date | null => (at ? new Date(at) : null);

async function storedListAge(): Promise<Date | null> {
  const db = await getDb();
  return asDate(rowsOf<{ at: string | Date | null }>(await db.execute(sql`select ${newestFetchedAt} as at`))[0]?.at);
}

/** Makes sure the stored list is at most CONNECTOR_CACHE_SECONDS old; on failure keeps the old one. */
async function ensureFresh(): Promise<{ fetchedAt: Date | null; problem: ConnectorListDTO["problem"] }> {
  const { newest, problem } = await readFresh(async () => ({ newest: await storedListAge() }));
  return { fetchedAt: newest, problem };
}

/** Every stored connector, fresh (see readFresh): one statement when the list is. */
async function freshConnectorRows(): Promise<{ rows: ConnectorRow[]; newest: Date | null; problem: ConnectorListDTO["problem"] }> {
  const db = await getDb();
  return readFresh(async () => {
    const found = await db
      .select({ row: connectors, newest: sql<string | Date | null>`max(${connectors.fetchedAt}) over ()` })
      .from(connectors)
      .orderBy(asc(connectors.name));
    return { rows: found.map((f) => f.row), newest: asDate(found[0]?.newest) };
  });
}

async function failureStats(): Promise<Map<string, InstitutionFailureStats>> {
  const cached = globalForConnectors.connectorStats;
  if (cached && Date.now() - cached.at < 60_000) return cached.stats;
  const stats = await institutionFailureStats(await getDb());
  globalForConnectors.connectorStats = { at: Date.now(), stats };
  return stats;
}

function toDTO(row: ConnectorRow, stats: Map<string, InstitutionFailureStats>, observed: ReadonlySet<string> = new Set()): ConnectorDTO {
  const s = stats.get(row.id);
  return {
    id: row.id,
    method: row.method,
    name: row.name,
    shortName: row.shortName,
    logoUrl: row.logoUrl,
    institutionType: row.institutionType,
    tier: row.tier,
    stage: row.stage,
    status: row.status,
    statusSince: row.statusSince.toISOString(),
    statusSinceObserved: observed.has(`${row.id}/${row.method}`),
    authorizationType: row.authorizationType,
    scopes: row.scopes,
    failed24h: s?.failed24h ?? 0,
    failed7d: s?.failed7d ?? 0,
    connections: s?.connections ?? 0,
    failingConnections: s?.failingConnections ?? 0,
    spike: s?.spike ?? false,
  };
}

/**
 * Connectors whose current status began with a change the console saw (its latest history row has a previous
 * status). Basiq's connector list carries no outage start time, so for the others the page says "seen since".
 */
async function observedChanges(): Promise<Set<string>> {
  const db = await getDb();
  const rows = rowsOf<{ id: string; method: string }>(
    await db.execute(sql`
      select connector_id as id, method from (
        select distinct on (${connectorStatusHistory.connectorId}, ${connectorStatusHistory.method})
               ${connectorStatusHistory.connectorId} as connector_id, ${connectorStatusHistory.method} as method,
               ${connectorStatusHistory.previousStatus} as previous_status
        from ${connectorStatusHistory}
        order by ${connectorStatusHistory.connectorId}, ${connectorStatusHistory.method}, ${connectorStatusHistory.observedAt} desc
      ) latest where previous_status is not null`),
  );
  return new Set(rows.map((r) => `${r.id}/${r.method}`));
}

export interface ConnectorFilters {
  q?: string;
  status?: string;
  stage?: string;
  method?: string;
  sort?: "attention" | "name" | "failures" | "tier";
}

const byStatus = byOrder(CONNECTOR_STATUS);

/** Needing attention first (not operational, or a failure spike), then by status, failures and name. */
function byAttention(a: ConnectorDTO, b: ConnectorDTO): number {
  const attention = (c: ConnectorDTO) => (c.status !== "operational" || c.spike ? 0 : 1);
  return attention(a) - attention(b) || byStatus(a.status, b.status) || b.failed24h - a.failed24h || a.name.localeCompare(b.name);
}

export async function listConnectorStatuses(f: ConnectorFilters = {}): Promise<ConnectorListDTO> {
  await requirePermission("connectors.read");
  const fresh = await freshConnectorRows();
  const [stats, observed] = await Promise.all([failureStats(), observedChanges()]);
  const q = f.q?.trim().toLowerCase();
  const list = fresh.rows
    .map((r) => toDTO(r, stats, observed))
    .filter(
      (c) =>
        (!q || c.name.toLowerCase().includes(q) || c.id.toLowerCase().includes(q) || (c.shortName ?? "").toLowerCase().includes(q)) &&
        (!f.status || c.status === f.status) &&
        (!f.stage || c.stage === f.stage) &&
        (!f.method || c.method === f.method),
    );
  const sorters: Record<NonNullable<ConnectorFilters["sort"]>, (a: ConnectorDTO, b: ConnectorDTO) => number> = {
    attention: byAttention,
    name: (a, b) => a.name.localeCompare(b.name) || a.method.localeCompare(b.method),
    failures: (a, b) => b.failed24h - a.failed24h || b.failed7d - a.failed7d || a.name.localeCompare(b.name),
    tier: (a, b) => (a.tier ?? "9").localeCompare(b.tier ?? "9") || a.name.localeCompare(b.name),
  };
  list.sort(sorters[f.sort ?? "attention"]);
  return { rows: list, fetchedAt: fresh.newest?.toISOString() ?? null, problem: fresh.problem };
}

export type AttentionConnectorDTO = Pick<ConnectorDTO, "id" | "method" | "name" | "status" | "spike" | "failed24h">;

/**
 * The overview's card: connectors that are not operational or whose failures spike, in the connectors list's
 * "attention" order (the same rows that list shows first), from the same fresh stored list and failure figures.
 */
export async function connectorsNeedingAttention(): Promise<{ rows: AttentionConnectorDTO[]; fetchedAt: string | null; problem: ConnectorListDTO["problem"] }> {
  await requirePermission("connectors.read");
  const fresh = await freshConnectorRows();
  const stats = await failureStats();
  const rows = fresh.rows
    .map((r) => toDTO(r, stats))
    .filter((c) => c.status !== "operational" || c.spike)
    .sort(byAttention)
    .map(({ id, method, name, status, spike, failed24h }) => ({ id, method, name, status, spike, failed24h }));
  return { rows, fetchedAt: fresh.newest?.toISOString() ?? null, problem: fresh.problem };
}

/** Support/admin: fetch from Basiq now, whatever the cache age. Audited. */
export async function refreshConnectorsNow(): Promise<{ changes: number }> {
  const caller = await requirePermission("connectors.refresh");
  const db = await getDb();
  const result = await refreshConnectors(db, basiq());
  globalForConnectors.connectorStats = undefined;
  await recordAudit({
    actor: { id: caller.id, email: caller.email, role: caller.role },
    action: "connectors.refresh",
    outcome: "success",
    details: { connectors: result.connectors, changes: result.changes.length },
  });
  return { changes: result.changes.length };
}

export interface ConnectorDetailDTO extends ConnectorDTO {
  averageDurationMs: Record<string, number> | null;
  history: { status: string; previousStatus: string | null; observedAt: string }[];
  fetchedAt: string;
  /** Set when Basiq could not be reached for a fresh list: the status is the stored one, as of fetchedAt. */
  problem: ConnectorListDTO["problem"];
}

export async function getConnectorDetail(id: string, method: string): Promise<ConnectorDetailDTO> {
  await requirePermission("connectors.read");
  if (!/^[A-Z]{2}\d{5}$/.test(id) || !/^[a-z-]{2,20}$/.test(method)) throw new NotFoundError("That connector");
  const fresh = await ensureFresh();
  const db = await getDb();
  const since = new Date(Date.now() - 30 * 24 * 3600_000);
  const [[row], history, stats] = await Promise.all([
    db.select().from(connectors).where(and(eq(connectors.id, id), eq(connectors.method, method))).limit(1),
    db
      .select()
      .from(connectorStatusHistory)
      .where(and(eq(connectorStatusHistory.connectorId, id), eq(connectorStatusHistory.method, method), gte(connectorStatusHistory.observedAt, since)))
      .orderBy(desc(connectorStatusHistory.observedAt))
      .limit(500),
    failureStats(),
  ]);
  if (!row) throw new NotFoundError("That connector");
  return {
    ...toDTO(row, stats),
    averageDurationMs: row.averageDurationMs ?? null,
    fetchedAt: row.fetchedAt.toISOString(),
    history: history.map((h) => ({ status: h.status, previousStatus: h.previousStatus, observedAt: h.observedAt.toISOString() })),
    problem: fresh.problem,
  };
}

/**
 * The stored status of one connector, for the connection and job pages (no extra Basiq call beyond the cache
 * refresh). Callers have checked their own permission; null when unknown.
 */
export async function cachedConnectorStatus(
  id: string,
  method: string,
): Promise<{
  id: string;
  method: string;
  name: string;
  status: string;
  stage: string | null;
  averageDurationMs: Record<string, number> | null;
  lastKnownFrom: string | null;
} | null> {
  const db = await getDb();
  // The row and the list's age in one statement; the age alone when the connector is unknown.
  const fresh = await readFresh(async () => {
    const [found] = await db
      .select({
        id: connectors.id,
        method: connectors.method,
        name: connectors.name,
        status: connectors.status,
        stage: connectors.stage,
        averageDurationMs: connectors.averageDurationMs,
        newest: newestFetchedAt,
      })
      .from(connectors)
      .where(and(eq(connectors.id, id), eq(connectors.method, method)))
      .limit(1);
    if (!found) return { row: null, newest: await storedListAge() };
    const { newest, ...row } = found;
    return { row, newest: asDate(newest) };
  });
  const { row } = fresh;
  if (!row) return null;
  // Basiq could not be asked: the stored status is shown, and said to be the last known one.
  return { ...row, lastKnownFrom: fresh.problem && fresh.newest ? fresh.newest.toISOString() : null };
}
