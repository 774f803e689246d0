import "server-only";

// Refreshes the stored connector list every CONNECTOR_REFRESH_MINUTES on the web server, so status changes are
// recorded even when nobody is looking. One GET /connectors per instance per interval; failures are logged and
// the next tick tries again.
import { basiq } from "@/lib/basiq";
import { isBasiqError } from "@/lib/basiq/errors";
import { getDb } from "@/lib/db";
import { log } from "@/lib/log";

import { refreshConnectors } from "./refresh";

export function startConnectorScheduler(intervalMinutes: number): () => void {
  if (intervalMinutes <= 0) return () => {};
  let running = false;
  const tick = async () => {
    if (running) return;
    running = true;
    try {
      const result = await refreshConnectors(await getDb(), basiq("background"));
      if (result.changes.length > 0) log.info({ changes: result.changes }, "connector status changes");
    } catch (e) {
      log.warn({ correlationId: isBasiqError(e) ? e.correlationId : undefined, route: "GET /connectors" }, "scheduled connector refresh failed");
    } finally {
      running = false;
    }
  };
  const first = setTimeout(() => void tick(), 5_000);
  const timer = setInterval(() => void tick(), intervalMinutes * 60_000);
  first.unref();
  timer.unref();
  return () => {
    clearTimeout(first);
    clearInterval(timer);
  };
}
