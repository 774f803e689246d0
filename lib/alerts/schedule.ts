import "server-only";

// In-process evaluation of the periodic alert rules every ALERTS_EVALUATE_MINUTES (0 = off), until the job
// engine runs the "alerts-evaluate" queue (lib/alerts/queues.ts) on its cron instead. One timer per process.
import { env } from "@/lib/env";

import { evaluateAlertRules, safely } from "./evaluate";

const globalForTimer = globalThis as unknown as { alertTimer?: NodeJS.Timeout };

export function startAlertEvaluation(): void {
  const minutes = env().alertsEvaluateMinutes;
  if (minutes === 0 || globalForTimer.alertTimer) return;
  let running = false;
  globalForTimer.alertTimer = setInterval(() => {
    if (running) return;
    running = true;
    void safely("periodic", evaluateAlertRules).finally(() => {
      running = false;
    });
  }, minutes * 60_000);
  globalForTimer.alertTimer.unref();
}

export function stopAlertEvaluation(): void {
  clearInterval(globalForTimer.alertTimer);
  globalForTimer.alertTimer = undefined;
}
