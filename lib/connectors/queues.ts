import "server-only";

// Connector refresh on the job engine: every CONNECTOR_REFRESH_MINUTES (cron, once across instances), one
// GET /connectors stored with its status changes. A failure is retried by the engine.
import { basiq } from "@/lib/basiq";
import { getDb } from "@/lib/db/client";
import { env } from "@/lib/env";
import { log } from "@/lib/log";
import { everyMinutesCron } from "@/lib/queue/cron";
import type { QueueDefinition } from "@/lib/queue/types";

import { refreshConnectors } from "./refresh";

export const CONNECTOR_REFRESH_QUEUE = "connector-refresh";

export const connectorQueues: QueueDefinition[] = [
  {
    name: CONNECTOR_REFRESH_QUEUE,
    handler: async () => {
      const result = await refreshConnectors(await getDb(), basiq("background"));
      if (result.changes.length > 0) log.info({ changes: result.changes }, "connector status changes");
    },
    get options() {
      return {
        policy: "stately" as const,
        retryLimit: 2,
        retryDelay: 30,
        expireInSeconds: 300,
        cron: everyMinutesCron(env().connectorRefreshMinutes),
        cronData: {},
      };
    },
  },
];
