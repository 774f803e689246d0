import "server-only";

// The alerts' background work on the job engine (lib/queue, pg-boss):
//   - "alerts-deliver": one job per notification (incident × channel × event). The handler is idempotent (a
//     delivery already sent is skipped) and throws on failure, so the engine retries it with backoff; each attempt
//     is recorded on the delivery row (attempts, last error, sent at) that the history page shows.
//   - "alerts-evaluate": the periodic rules (failure spikes, watched jobs, the API key, the sweep), on a cron every
//     ALERTS_EVALUATE_MINUTES (0 = no schedule), once across instances.
import { z } from "zod";

import { env } from "@/lib/env";
import { everyMinutesCron } from "@/lib/queue/cron";
import type { QueueDefinition, QueueOptions } from "@/lib/queue/types";

import { ALERT_DELIVER_QUEUE, ALERT_EVALUATE_QUEUE, deliverAlert } from "./deliver";
import { evaluateAlertRules } from "./evaluate";

export { ALERT_DELIVER_QUEUE, ALERT_EVALUATE_QUEUE };

const deliveryData = z.object({ deliveryId: z.number().int().positive() }).strict();

export interface AlertQueueOptions {
  /** Overrides of the delivery queue's options (tests: short retry delays). */
  delivery?: Partial<QueueOptions>;
}

export function createAlertQueues(overrides: AlertQueueOptions = {}): QueueDefinition[] {
  return [
    {
      name: ALERT_DELIVER_QUEUE,
      handler: (data: unknown) => deliverAlert(deliveryData.parse(data)),
      options: { retryLimit: 6, retryDelay: 5, retryBackoff: true, expireInSeconds: 60, localConcurrency: 2, ...overrides.delivery },
    },
    {
      name: ALERT_EVALUATE_QUEUE,
      handler: async () => {
        await evaluateAlertRules();
      },
      get options() {
        return {
          policy: "stately" as const,
          retryLimit: 0,
          expireInSeconds: 300,
          cron: everyMinutesCron(env().alertsEvaluateMinutes),
          cronData: {},
        };
      },
    },
  ];
}

export const alertQueues: QueueDefinition[] = createAlertQueues();
