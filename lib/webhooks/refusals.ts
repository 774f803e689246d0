import "server-only";

// Refused webhook deliveries are never stored (issue 17: "nothing stored but a counter"). This process counts them
// by reason, for the delivery-health page and the overview, and hands each to an optional observer — the
// integrator wires that to the prom-client counter in lib/observability/metrics.ts (`setWebhookRefusalObserver`).
import type { RefusalReason } from "./verify";

const WINDOW_MS = 24 * 3600_000;
const MAX_KEPT = 10_000;

interface Refusals {
  total: Map<RefusalReason, number>;
  recent: { at: number; reason: RefusalReason }[];
}
const state = globalThis as unknown as {
  webhookRefusals?: Refusals;
  webhookRefusalObserver?: (reason: RefusalReason) => void;
};
const refusals: Refusals = (state.webhookRefusals ??= { total: new Map(), recent: [] });

export function recordWebhookRefusal(reason: RefusalReason, now = Date.now()): void {
  refusals.total.set(reason, (refusals.total.get(reason) ?? 0) + 1);
  refusals.recent.push({ at: now, reason });
  if (refusals.recent.length > MAX_KEPT) refusals.recent.splice(0, refusals.recent.length - MAX_KEPT);
  state.webhookRefusalObserver?.(reason);
}

/** For the metrics module: called once per refusal with its reason. */
export function setWebhookRefusalObserver(observer: ((reason: RefusalReason) => void) | undefined): void {
  state.webhookRefusalObserver = observer;
}

export interface RefusalSummary {
  /** Since this process started, by reason. */
  total: Partial<Record<RefusalReason, number>>;
  /** In the last 24 h (this process), by reason. */
  last24h: Partial<Record<RefusalReason, number>>;
  lastAt: string | null;
}

export function webhookRefusalSummary(now = Date.now()): RefusalSummary {
  const last24h: Partial<Record<RefusalReason, number>> = {};
  for (const r of refusals.recent) if (r.at > now - WINDOW_MS) last24h[r.reason] = (last24h[r.reason] ?? 0) + 1;
  const last = refusals.recent[refusals.recent.length - 1];
  return { total: Object.fromEntries(refusals.total), last24h, lastAt: last ? new Date(last.at).toISOString() : null };
}

/** Tests only. */
export function resetWebhookRefusalsForTests(): void {
  refusals.total.clear();
  refusals.recent.length = 0;
}
