import "server-only";

// Process lifecycle of the web server: validate configuration, close the database cleanly on SIGINT/SIGTERM
// (an embedded PGlite directory left open can hang the next start). scripts/start.ts sets
// NEXT_MANUAL_SIG_HANDLE so Next leaves the signals to us.
import { startConnectorScheduler } from "@/lib/connectors/scheduler";
import { closeDatabase } from "@/lib/db";
import { env } from "@/lib/env";
import { startJobScheduler } from "@/lib/jobs/scheduler";
import { log } from "@/lib/log";
import { startWebhooks } from "@/lib/webhooks/startup";

let started = false;

export async function startServerLifecycle(): Promise<void> {
  if (started) return;
  started = true;
  const e = env(); // fail fast on bad configuration
  // The daily job sweep and the events sync (one instance at a time, by advisory lock).
  const stopScheduler = startJobScheduler({ intervalMinutes: e.sweepIntervalMinutes });
  const stopConnectorRefresh = startConnectorScheduler(e.connectorRefreshMinutes);
  // Webhook deliveries stored but not processed (a crash), their retries, and the sandbox subscription.
  const stopWebhooks = startWebhooks(e);
  const shutdown = async (signal: string) => {
    log.info({ signal }, "shutting down");
    try {
      stopConnectorRefresh();
      stopWebhooks();
      await stopScheduler();
      await closeDatabase();
    } catch (e) {
      log.error({ err: e instanceof Error ? e.message : String(e) }, "database close failed");
    }
    process.exit(0);
  };
  process.once("SIGINT", () => void shutdown("SIGINT"));
  process.once("SIGTERM", () => void shutdown("SIGTERM"));
}
