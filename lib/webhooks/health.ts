import "server-only";

// Delivery health for the webhooks page and the overview (issue 17 §1). Data-access functions: each checks the
// policy first (lib/auth/session.ts). Basiq is read through the one client (lib/basiq); its failures become a
// message on the page, never an exception.
import { and, count, desc, eq, gte, isNull, max } from "drizzle-orm";

import { requirePermission } from "@/lib/auth/session";
import { basiq } from "@/lib/basiq";
import { isBasiqError } from "@/lib/basiq/errors";
import type { BasiqWebhook, BasiqWebhookMessage } from "@/lib/basiq/schemas";
import { getDb, type Database } from "@/lib/db";
import { webhookDeliveries } from "@/lib/db/schema";
import { env } from "@/lib/env";

import { webhookRefusalSummary, type RefusalSummary } from "./refusals";

const DAY_MS = 24 * 3600_000;

export interface WebhookSummaryDTO {
  configured: boolean;
  lastReceivedAt: string | null;
  receivedLast24h: number;
  /** Processing failed and not yet retried successfully, received in the last 24 h. */
  failedLast24h: number;
  /** Refused (bad signature, stale timestamp, too large…) in the last 24 h, by this server process. */
  refusedLast24h: number;
  /** Stored and not processed yet. */
  pending: number;
}

export async function webhookSummary(db: Database, now = Date.now()): Promise<WebhookSummaryDTO> {
  const since = new Date(now - DAY_MS);
  const [last] = await db.select({ at: max(webhookDeliveries.receivedAt) }).from(webhookDeliveries);
  const [recent] = await db.select({ n: count() }).from(webhookDeliveries).where(gte(webhookDeliveries.receivedAt, since));
  const [failed] = await db
    .select({ n: count() })
    .from(webhookDeliveries)
    .where(and(gte(webhookDeliveries.receivedAt, since), eq(webhookDeliveries.status, "failed")));
  const [pending] = await db.select({ n: count() }).from(webhookDeliveries).where(isNull(webhookDeliveries.processedAt));
  const refused = Object.values(webhookRefusalSummary(now).last24h).reduce((a, b) => a + (b ?? 0), 0);
  return {
    configured: env().webhookSecrets.length > 0,
    lastReceivedAt: last?.at ? new Date(last.at).toISOString() : null,
    receivedLast24h: recent?.n ?? 0,
    failedLast24h: failed?.n ?? 0,
    refusedLast24h: refused,
    pending: pending?.n ?? 0,
  };
}

export interface DeliveryDTO {
  id: string;
  receivedAt: string;
  eventTypeId: string | null;
  eventId: string | null;
  status: string;
  detail: string | null;
  attempts: number;
  resends: number;
  processedAt: string | null;
  /** Received → processed, ms. */
  processingMs: number | null;
  /** Basiq's signing time → received, ms. */
  transitMs: number;
}

export interface WebhookHealthDTO {
  summary: WebhookSummaryDTO;
  refusals: RefusalSummary;
  /** The URL Basiq should deliver to, as this server sees itself (editable on the page). */
  suggestedUrl: string;
  subscriptions: Pick<BasiqWebhook, "id" | "url" | "status" | "name" | "subscribedEvents">[] | null;
  /** Basiq's attempt log of the first subscription, newest first. */
  messages: (Pick<BasiqWebhookMessage, "id" | "eventTypeId" | "eventId" | "status" | "createdDate"> & { attempts: string[] })[];
  /** Set when Basiq could not be read. */
  basiqError: string | null;
  deliveries: DeliveryDTO[];
}

function basiqProblem(e: unknown): string {
  if (isBasiqError(e)) return `Basiq could not be read (${e.code ?? e.status ?? "no answer"}${e.correlationId ? `, reference ${e.correlationId}` : ""}).`;
  return "Basiq could not be read.";
}

export function suggestedWebhookUrl(): string {
  const e = env();
  const host = !e.hostname || e.hostname === "0.0.0.0" || e.hostname === "::" ? "127.0.0.1" : e.hostname;
  return `http://${host.includes(":") ? `[${host}]` : host}:${e.port}/api/basiq/webhooks`;
}

export async function getWebhookHealth(): Promise<WebhookHealthDTO> {
  await requirePermission("webhooks.manage");
  const db = await getDb();
  const rows = await db.select().from(webhookDeliveries).orderBy(desc(webhookDeliveries.receivedAt)).limit(50);
  let subscriptions: WebhookHealthDTO["subscriptions"] = null;
  let messages: WebhookHealthDTO["messages"] = [];
  let basiqError: string | null = null;
  try {
    const hooks = await basiq().listWebhooks();
    subscriptions = hooks.map(({ id, url, status, name, subscribedEvents }) => ({ id, url, status, name, subscribedEvents }));
    const first = hooks[0];
    if (first) {
      messages = (await basiq().listWebhookMessages(first.id, { limit: 20 })).map((m) => ({
        id: m.id,
        eventTypeId: m.eventTypeId ?? m.event,
        eventId: m.eventId,
        status: m.status,
        createdDate: m.createdDate,
        attempts: (m.attempts ?? []).map((a) => (typeof a === "string" ? a : JSON.stringify(a)).slice(0, 200)),
      }));
    }
  } catch (e) {
    basiqError = basiqProblem(e);
  }
  return {
    summary: await webhookSummary(db),
    refusals: webhookRefusalSummary(),
    suggestedUrl: suggestedWebhookUrl(),
    subscriptions,
    messages,
    basiqError,
    deliveries: rows.map((r) => ({
      id: r.id,
      receivedAt: r.receivedAt.toISOString(),
      eventTypeId: r.eventTypeId,
      eventId: r.eventId,
      status: r.status,
      detail: r.detail,
      attempts: r.attempts,
      resends: r.resends,
      processedAt: r.processedAt?.toISOString() ?? null,
      processingMs: r.processedAt ? r.processedAt.getTime() - r.receivedAt.getTime() : null,
      transitMs: Math.max(0, r.receivedAt.getTime() - r.signedAt.getTime()),
    })),
  };
}
