import "server-only";

// The audit log (admins): every event newest first with keyset pagination on id, exact-match filters, and a CSV
// export of the current filter that is itself an audit event. Nothing here ever deletes or changes an event.
import { and, asc, count, desc, eq, gt, gte, lt, type SQL } from "drizzle-orm";

import { recordAudit } from "@/lib/audit";
import { requirePermission } from "@/lib/auth/session";
import { csvDocument } from "@/lib/csv";
import { getDb } from "@/lib/db";
import { auditEvents } from "@/lib/db/schema";
import { env } from "@/lib/env";
import { dateBounds } from "@/lib/list/dates";
import type { AuditSearch } from "@/lib/search-params";

export type AuditFilters = Omit<AuditSearch, "before" | "after">;

export interface AuditEventDTO {
  id: number;
  occurredAt: string;
  actorEmail: string | null;
  actorRole: string | null;
  action: string;
  outcome: string;
  userId: string | null;
  connectionId: string | null;
  jobId: string | null;
  correlationId: string | null;
  ip: string | null;
  details: Record<string, unknown> | null;
}

/** Dates are days in CONSOLE_TIME_ZONE, `to` inclusive (as on the error log); a preset wins over them. */
function auditWhere(f: AuditFilters): SQL | undefined {
  const { start, end } = dateBounds(f, env().consoleTimeZone);
  return and(
    f.actor ? eq(auditEvents.actorEmail, f.actor) : undefined,
    f.action ? eq(auditEvents.action, f.action) : undefined,
    f.outcome ? eq(auditEvents.outcome, f.outcome) : undefined,
    f.userId ? eq(auditEvents.targetUserId, f.userId) : undefined,
    f.connectionId ? eq(auditEvents.targetConnectionId, f.connectionId) : undefined,
    f.jobId ? eq(auditEvents.targetJobId, f.jobId) : undefined,
    start ? gte(auditEvents.occurredAt, start) : undefined,
    end ? lt(auditEvents.occurredAt, end) : undefined,
  );
}

/** Only the filters that are set: what the export's own audit event records. */
function setFilters(f: AuditFilters): Partial<AuditFilters> {
  return Object.fromEntries(Object.entries(f).filter(([, v]) => v !== undefined && v !== "")) as Partial<AuditFilters>;
}

export interface AuditPage {
  events: AuditEventDTO[];
  /** Events matching the filters, and where this page sits among them (1-based; 0 when none). */
  total: number;
  first: number;
  last: number;
  /** Cursor of the next (older) page, or null on the last page. */
  nextBefore: number | null;
  /** There are newer events; previousAfter is the cursor of that page, or null when it is the first page. */
  hasPrevious: boolean;
  previousAfter: number | null;
}

/**
 * One page of the log, newest first. Rows are fetched by keyset on id (`before`: older than; `after`: newer than,
 * for "Previous"), so a page deep in a big log costs what the first one does; the totals the list kit's pager shows
 * ("51–100 of 1,234") are two counts over the same filter.
 */
export async function listAuditEvents(options: AuditFilters & { before?: number; after?: number; limit?: number } = {}): Promise<AuditPage> {
  await requirePermission("audit.read");
  const { before, after, limit: requested, ...filters } = options;
  const limit = Math.min(Math.max(requested ?? 50, 1), 200);
  const db = await getDb();
  const where = auditWhere(filters);
  const newest = () => db.select().from(auditEvents).where(and(where, before ? lt(auditEvents.id, before) : undefined)).orderBy(desc(auditEvents.id)).limit(limit);
  let rows = await (after && !before
    ? db.select().from(auditEvents).where(and(where, gt(auditEvents.id, after))).orderBy(asc(auditEvents.id)).limit(limit + 1)
    : newest());
  if (after && !before) {
    // More than a page newer than the cursor: the page just before it. Otherwise that page is the first one.
    rows = rows.length > limit ? rows.slice(0, limit).reverse() : await newest();
  }
  const top = rows[0];
  const [[totals], [newer]] = await Promise.all([
    db.select({ n: count() }).from(auditEvents).where(where),
    top ? db.select({ n: count() }).from(auditEvents).where(and(where, gt(auditEvents.id, top.id))) : Promise.resolve([{ n: 0 }]),
  ]);
  const total = totals?.n ?? 0;
  const above = newer?.n ?? 0;
  const last = rows.length ? above + rows.length : 0;
  return {
    events: rows.map((r) => ({
      id: r.id,
      occurredAt: r.occurredAt.toISOString(),
      actorEmail: r.actorEmail,
      actorRole: r.actorRole,
      action: r.action,
      outcome: r.outcome,
      userId: r.targetUserId,
      connectionId: r.targetConnectionId,
      jobId: r.targetJobId,
      correlationId: r.correlationId,
      ip: r.ip,
      details: r.details ?? null,
    })),
    total,
    first: rows.length ? above + 1 : 0,
    last,
    nextBefore: rows.length && last < total ? (rows.at(-1)?.id ?? null) : null,
    hasPrevious: above > 0,
    previousAfter: above > limit && top ? top.id : null,
  };
}

/** The distinct actions present, for the toolbar's select (a few dozen at most: they are names from code). */
export async function listAuditActions(): Promise<string[]> {
  await requirePermission("audit.read");
  const db = await getDb();
  const rows = await db.selectDistinct({ action: auditEvents.action }).from(auditEvents).orderBy(asc(auditEvents.action)).limit(500);
  return rows.map((r) => r.action);
}

export const AUDIT_CSV_LIMIT = 100_000;

const csvHeader = [
  "id",
  "occurred_at",
  "actor_id",
  "actor_email",
  "actor_role",
  "action",
  "outcome",
  "target_user_id",
  "target_connection_id",
  "target_job_id",
  "correlation_id",
  "ip",
  "user_agent",
  "details",
] as const;

export interface AuditCsv {
  csv: string;
  rows: number;
  /** More events matched than AUDIT_CSV_LIMIT: the newest ones were exported. */
  truncated: boolean;
}

/** CSV of the current filter, newest first, audited as `audit.export` with the filter and the row count. */
export async function exportAuditEventsCsv(filters: AuditFilters, limit = AUDIT_CSV_LIMIT): Promise<AuditCsv> {
  const caller = await requirePermission("audit.read");
  const cap = Math.min(Math.max(limit, 1), AUDIT_CSV_LIMIT);
  const db = await getDb();
  const found = await db
    .select()
    .from(auditEvents)
    .where(auditWhere(filters))
    .orderBy(desc(auditEvents.id))
    .limit(cap + 1);
  const rows = found.slice(0, cap);
  const csv = csvDocument(
    csvHeader,
    rows.map((r) => [
      r.id,
      r.occurredAt.toISOString(),
      r.actorId,
      r.actorEmail,
      r.actorRole,
      r.action,
      r.outcome,
      r.targetUserId,
      r.targetConnectionId,
      r.targetJobId,
      r.correlationId,
      r.ip,
      r.userAgent,
      r.details ? JSON.stringify(r.details) : null,
    ]),
  );
  const truncated = found.length > cap;
  await recordAudit({
    actor: { id: caller.id, email: caller.email, role: caller.role },
    action: "audit.export",
    outcome: "success",
    details: { filter: setFilters(filters), rows: rows.length, truncated },
  });
  return { csv, rows: rows.length, truncated };
}
