import "server-only";

// Web-server start-up for webhooks (lib/server-lifecycle.ts): in sandbox mode, subscribe this console to the local
// sandbox so a newcomer sees deliveries arrive. Processing, its retries and the recovery of deliveries stored but
// never enqueued are jobs on the engine (lib/webhooks/queues.ts).
import { basiq } from "@/lib/basiq";
import type { Env } from "@/lib/env";
import { log } from "@/lib/log";

import { WEBHOOK_EVENT_TYPES } from "./manage";
import { suggestedWebhookUrl } from "./health";

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

/**
 * Subscribes in the background, retried: the sandbox runs in this process, and while the server starts (the job
 * engine installing its queues on PGlite) it may answer after the 5 s timeout.
 */
export function startWebhooks(e: Env, attempts = 4): void {
  if (e.webhookSecrets.length === 0) return;
  void (async () => {
    for (let attempt = 1; ; attempt++) {
      try {
        return await subscribeToSandbox(e);
      } catch (err) {
        if (attempt >= attempts) {
          log.warn({ err: err instanceof Error ? err.message : "error", attempts }, "could not subscribe to the sandbox's webhooks");
          return;
        }
        await new Promise((resolve) => setTimeout(resolve, 2_000 * attempt));
      }
    }
  })();
}
