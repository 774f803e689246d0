import "server-only";

// Process lifecycle of the web server: validate configuration, start the job engine (every queue of
// lib/queue/registry.ts: the sweep, events sync, connector refresh, ...), and on SIGINT/SIGTERM stop it and close
// the database cleanly (an embedded PGlite directory left open can hang the next start). scripts/start.ts sets
// NEXT_MANUAL_SIG_HANDLE so Next leaves the signals to us.
import { captureRootContext } from "@/lib/async-context";
import { closeDatabase, getDb } from "@/lib/db";
import { env } from "@/lib/env";
import { log } from "@/lib/log";
import { startQueue, stopQueue } from "@/lib/queue/engine";
import { queueDefinitions } from "@/lib/queue/registry";
import { onShutdownSignal } from "@/lib/shutdown-signals";
import { startWebhooks } from "@/lib/webhooks/startup";

let started = false;

export async function startServerLifecycle(): Promise<void> {
  if (started) return;
  started = true;
  captureRootContext(); // before any request: lib/async-context.ts
  const e = env(); // fail fast on bad configuration
  await startQueue({ db: await getDb(), databaseUrl: e.databaseUrl, queues: queueDefinitions, maintenanceIntervalSeconds: maintenanceSeconds(e.sweepBatchExpireSeconds) });
  // Sandbox mode: subscribe to the sandbox's webhooks (processing and its recovery are jobs on the engine).
  startWebhooks(e);
  const shutdown = async (signal: string) => {
    log.info({ signal }, "shutting down");
    try {
      await stopQueue(); // jobs in hand checkpoint; unfinished ones are retried by another instance or the next start
      await closeDatabase();
    } catch (e) {
      log.error({ err: e instanceof Error ? e.message : String(e) }, "shutdown failed");
    }
    process.exit(0);
  };
  onShutdownSignal((signal) => void shutdown(signal)); // once, however many signals arrive
}

/** Expired jobs are found by the engine's maintenance: often enough for the batch expiry (5-60 s). */
export function maintenanceSeconds(expireSeconds: number): number {
  return Math.min(60, Math.max(5, Math.floor(expireSeconds / 4)));
}
