import "server-only";

// Refusals of callers without a complete session (issue 14 item 4): they never reach the append-only audit table
// — anyone could fill it, with any user id attached — but are counted per process and logged (no input echoed).
import { log } from "@/lib/log";

let count = 0;

export function countAnonymousRefusal(action: string, reason: string): void {
  count += 1;
  log.warn({ action, reason, anonymousRefusals: count }, "anonymous request refused");
}

/** How many anonymous refusals this process has counted since it started (a metric for dashboards and tests). */
export function anonymousRefusalCount(): number {
  return count;
}
