import "server-only";

// Admin changes to the Basiq webhook subscription (issue 17 §1): create/update it and send a test message, each
// through the one Basiq client and audited (requested, then success/failure with Basiq's correlation id).
import type { CurrentStaff } from "@/lib/auth/session";
import { requirePermission } from "@/lib/auth/session";
import { recordAudit } from "@/lib/audit";
import { basiq } from "@/lib/basiq";
import { isBasiqError } from "@/lib/basiq/errors";
import { env } from "@/lib/env";

/** What Basiq lets a subscription name (BASIQ.md "Events and webhooks"). */
export const WEBHOOK_EVENT_TYPES = [
  "user.created",
  "user.updated",
  "user.deleted",
  "connection.created",
  "connection.activated",
  "connection.invalidated",
  "connection.deleted",
  "consent.created",
  "consent.updated",
  "consent.revoked",
  "consent.expired",
  "consent.warning",
  "consent.reminder",
  "account.updated",
  "transactions.updated",
] as const;

export interface SavedSubscription {
  id: string;
  status: string | null;
  /** Basiq issued a signing secret other than BASIQ_WEBHOOK_SECRET: deliveries will be refused until it is set. */
  secretMismatch: boolean;
}

const actorOf = (caller: CurrentStaff) => ({ id: caller.id, email: caller.email, role: caller.role });

export async function saveWebhookSubscription(
  caller: CurrentStaff,
  input: { id?: string; url: string; subscribedEvents: string[] },
): Promise<SavedSubscription> {
  await requirePermission("webhooks.manage");
  const details = { webhookId: input.id ?? null, url: input.url, subscribedEvents: input.subscribedEvents };
  await recordAudit({ actor: actorOf(caller), action: "webhook.subscription_save", outcome: "requested", details });
  try {
    const saved = await basiq().saveWebhook({ ...input, name: "Basiq admin console", description: "Deliveries to the console's webhook receiver" });
    await recordAudit({ actor: actorOf(caller), action: "webhook.subscription_save", outcome: "success", details: { ...details, webhookId: saved.id } });
    return {
      id: saved.id,
      status: saved.status ?? null,
      secretMismatch: saved.secret !== undefined && !env().webhookSecrets.includes(saved.secret),
    };
  } catch (e) {
    await recordAudit({
      actor: actorOf(caller),
      action: "webhook.subscription_save",
      outcome: isBasiqError(e) && e.name === "BasiqOutcomeUnknownError" ? "unknown" : "failure",
      correlationId: isBasiqError(e) ? (e.correlationId ?? null) : null,
      details: { ...details, status: isBasiqError(e) ? (e.status ?? null) : null },
    });
    throw e;
  }
}

export async function sendTestWebhook(caller: CurrentStaff, eventTypeId: string): Promise<void> {
  await requirePermission("webhooks.manage");
  try {
    await basiq().sendTestWebhook(eventTypeId);
    await recordAudit({ actor: actorOf(caller), action: "webhook.test_message", outcome: "success", details: { eventTypeId } });
  } catch (e) {
    await recordAudit({
      actor: actorOf(caller),
      action: "webhook.test_message",
      outcome: "failure",
      correlationId: isBasiqError(e) ? (e.correlationId ?? null) : null,
      details: { eventTypeId, status: isBasiqError(e) ? (e.status ?? null) : null },
    });
    throw e;
  }
}
