import "server-only";

import { and, desc, lt } from "drizzle-orm";

import { requirePermission } from "@/lib/auth/session";
import { getDb } from "@/lib/db";
import { auditEvents } from "@/lib/db/schema";

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

export async function listAuditEvents(options: { before?: number; limit?: number } = {}): Promise<{
  events: AuditEventDTO[];
  nextBefore: number | null;
}> {
  await requirePermission("audit.read");
  const limit = Math.min(Math.max(options.limit ?? 50, 1), 200);
  const db = await getDb();
  const rows = await db
    .select()
    .from(auditEvents)
    .where(and(options.before ? lt(auditEvents.id, options.before) : undefined))
    .orderBy(desc(auditEvents.id))
    .limit(limit + 1);
  const page = rows.slice(0, limit);
  return {
    events: page.map((r) => ({
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
    nextBefore: rows.length > limit ? (page.at(-1)?.id ?? null) : null,
  };
}
