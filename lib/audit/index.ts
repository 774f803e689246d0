import "server-only";

// Append-only audit events (SECURITY.md LOG-1). Callers pass ids and outcomes, never CDR content or PII.
import { getDb } from "@/lib/db";
import { auditEvents } from "@/lib/db/schema";
import { log } from "@/lib/log";

import { requestMeta, type RequestMeta } from "./request-meta";

export type AuditOutcome = "success" | "failure" | "denied" | "requested" | "unknown";

export interface AuditActor {
  id: string | null;
  email: string | null;
  role: string | null;
}

export interface AuditEventInput {
  actor: AuditActor | null;
  action: string;
  outcome: AuditOutcome;
  userId?: string | null;
  connectionId?: string | null;
  jobId?: string | null;
  correlationId?: string | null;
  details?: Record<string, unknown>;
  meta?: RequestMeta;
}

export async function recordAudit(event: AuditEventInput): Promise<void> {
  const meta = event.meta ?? (await requestMeta());
  const db = await getDb();
  await db.insert(auditEvents).values({
    actorId: event.actor?.id ?? null,
    actorEmail: event.actor?.email ?? null,
    actorRole: event.actor?.role ?? null,
    action: event.action,
    outcome: event.outcome,
    targetUserId: event.userId ?? null,
    targetConnectionId: event.connectionId ?? null,
    targetJobId: event.jobId ?? null,
    correlationId: event.correlationId ?? null,
    ip: meta.ip,
    userAgent: meta.userAgent,
    details: event.details ?? null,
  });
  log.info(
    {
      audit: event.action,
      outcome: event.outcome,
      actorId: event.actor?.id,
      userId: event.userId,
      connectionId: event.connectionId,
      jobId: event.jobId,
      correlationId: event.correlationId,
    },
    "audit event",
  );
}
