// The alerts' background work, for the job engine (lib/queue) to register: delivery of one notification (idempotent:
// a delivery already sent is skipped; a failure throws so the engine retries with backoff) and the periodic
// evaluation of the rules. Until the engine runs them, lib/alerts/deliver.ts sends in-process and
// lib/alerts/schedule.ts evaluates on a timer.
import { deliverAlert } from "./deliver";
import { evaluateAlertRules } from "./evaluate";

export const alertQueues = [
  {
    name: "alerts-deliver",
    handler: (data: { deliveryId: number }) => deliverAlert(data),
    options: { retryLimit: 6, retryBackoff: true, retryDelay: 5, expireInSeconds: 60 },
  },
  {
    name: "alerts-evaluate",
    handler: async () => {
      await evaluateAlertRules();
    },
    options: { retryLimit: 0, expireInSeconds: 300 },
    /** Cron for the engine's scheduler: every minute (ALERTS_EVALUATE_MINUTES is the in-process equivalent). */
    cron: "* * * * *",
  },
];
