import "server-only";

// Web-server start-up for webhooks (lib/server-lifecycle.ts): process what a previous process stored and did not
// finish (a crash between storing and processing loses nothing), retry failed processing every few minutes, and
// in sandbox mode subscribe this console to the local sandbox so a newcomer sees deliveries arrive.
import { basiq } from "@/lib/basiq";
import { getDb } from "@/lib/db";
import type { Env } from "@/lib/env";
import { log } from "@/lib/log";

import { WEBHOOK_EVENT_TYPES } from "./manage";
import { processPendingDeliveries, pruneWebhookRecords } from "./process";
import { suggestedWebhookUrl } from "./health";

const RETRY_EVERY_MS = 5 * 60_000;

async function recover(reason: string): Promise<void> {
  const db = await getDb();
  await pruneWebhookRecords(db);
  const counts = await processPendingDeliveries(db, basiq("background"));
  if (Object.values(counts).some((n) => n > 0)) log.info({ ...counts, reason }, "stored webhook deliveries processed");
}

/** Sandbox mode: the sandbox signs with our secret, and the console's URL is subscribed to every event. */
export async function subscribeToSandbox(e: Env): Promise<void> {
  const secret = e.webhookSecrets[0];
  if (e.basiq.mode !== "sandbox" || !secret) return;
  const res = await fetch(new URL("/__sandbox/webhooks/secret", e.basiq.apiUrl), {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ secret }),
    signal: AbortSignal.timeout(5_000),
  });
  if (!res.ok) throw new Error(`the sandbox refused the webhook secret (HTTP ${res.status})`);
  const url = suggestedWebhookUrl();
  const client = basiq("background");
  const existing = (await client.listWebhooks()).find((w) => w.url === url);
  const saved = await client.saveWebhook({ id: existing?.id, url, subscribedEvents: [...WEBHOOK_EVENT_TYPES], name: "Basiq admin console (sandbox)" });
  log.info({ webhookId: saved.id, url }, "subscribed to the sandbox's webhooks");
}

export function startWebhooks(e: Env): () => void {
  if (e.webhookSecrets.length === 0) return () => {};
  void recover("start-up").catch((err: unknown) => log.warn({ err: err instanceof Error ? err.name : "error" }, "webhook recovery failed"));
  void subscribeToSandbox(e).catch((err: unknown) =>
    log.warn({ err: err instanceof Error ? err.message : "error" }, "could not subscribe to the sandbox's webhooks"),
  );
  const timer = setInterval(() => {
    void recover("retry").catch(() => undefined);
  }, RETRY_EVERY_MS);
  timer.unref();
  return () => clearInterval(timer);
}
