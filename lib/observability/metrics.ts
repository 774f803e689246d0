import "server-only";

// THE Prometheus registry of the console (prom-client), served by GET /api/metrics. One registry per process,
// kept on globalThis: Next bundles instrumentation and routes separately, and a dev reload must not register twice.
// Labels are route templates, lanes, queue names, statuses and reasons only: never an id, e-mail, name or URL.
import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from "prom-client";

import { setWebhookRefusalObserver } from "@/lib/webhooks/refusals";

function build() {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: "console_" });
  const registers = [registry];
  const seconds = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];
  return {
    registry,
    basiqRequests: new Counter({
      name: "basiq_requests_total",
      help: "HTTP requests sent to Basiq (each attempt), by route template and status (or network_error, timeout)",
      labelNames: ["route", "status"] as const,
      registers,
    }),
    basiqDuration: new Histogram({
      name: "basiq_request_duration_seconds",
      help: "Duration of one Basiq HTTP attempt, from its concurrency slot to the end of its body",
      labelNames: ["route"] as const,
      buckets: seconds,
      registers,
    }),
    basiqCallDuration: new Histogram({
      name: "basiq_call_duration_seconds",
      help: "Duration of one logical Basiq call (token, queue wait, retries included), by route and outcome",
      labelNames: ["route", "outcome"] as const,
      buckets: seconds,
      registers,
    }),
    basiqRetries: new Counter({
      name: "basiq_retries_total",
      help: "Basiq attempts retried, by route and reason (status code, network_error, timeout, unauthorized)",
      labelNames: ["route", "reason"] as const,
      registers,
    }),
    basiqRateLimited: new Counter({
      name: "basiq_rate_limited_total",
      help: "429 answers from Basiq, by route",
      labelNames: ["route"] as const,
      registers,
    }),
    basiqRetryAfter: new Histogram({
      name: "basiq_retry_after_seconds",
      help: "Retry-After announced with Basiq's 429 and 5xx answers",
      labelNames: ["route"] as const,
      buckets: [1, 2, 5, 10, 30, 60, 120, 300],
      registers,
    }),
    basiqTokenRequests: new Counter({
      name: "basiq_token_requests_total",
      help: "POST /token requests, by outcome (ok, failed, key_refused)",
      labelNames: ["outcome"] as const,
      registers,
    }),
    basiqTokenAge: new Gauge({
      name: "basiq_token_age_seconds",
      help: "Age of the cached Basiq token (absent while none is held)",
      registers,
    }),
    basiqInFlight: new Gauge({
      name: "basiq_in_flight",
      help: "Basiq calls in flight, per concurrency lane",
      labelNames: ["lane"] as const,
      registers,
    }),
    basiqQueued: new Gauge({
      name: "basiq_queued",
      help: "Basiq calls waiting for a slot, per concurrency lane",
      labelNames: ["lane"] as const,
      registers,
    }),
    basiqLaneCapacity: new Gauge({
      name: "basiq_lane_capacity",
      help: "Basiq calls a lane lets in flight at once right now (the background lane's falls while it gives way to interactive calls)",
      labelNames: ["lane"] as const,
      registers,
    }),
    basiqPaused: new Gauge({
      name: "basiq_paused_seconds",
      help: "Seconds left of the pause a 429's Retry-After imposed on every lane",
      registers,
    }),
    basiqKeyRefused: new Gauge({
      name: "basiq_api_key_refused",
      help: "1 while Basiq refuses the console's API key (the last POST /token was refused)",
      registers,
    }),
    dbStatements: new Gauge({
      name: "console_db_statements",
      help: "Database statements this process has run since it started (monotonic)",
      registers,
    }),
    queueJobs: new Gauge({
      name: "queue_jobs",
      help: "Jobs in the job engine (pg-boss), fleet-wide, by queue and state",
      labelNames: ["queue", "state"] as const,
      registers,
    }),
    queueJobDuration: new Histogram({
      name: "queue_job_duration_seconds",
      help: "Duration of background jobs run by this process, by queue and outcome",
      labelNames: ["queue", "outcome"] as const,
      buckets: [0.1, 0.5, 1, 5, 15, 60, 300, 900, 3600],
      registers,
    }),
    sweepUsers: new Gauge({
      name: "sweep_users",
      help: "The latest sweep's users, fleet-wide: total to check and checked so far",
      labelNames: ["kind"] as const,
      registers,
    }),
    sweepRunning: new Gauge({ name: "sweep_running", help: "1 while a sweep is running", registers }),
    sweepErrors: new Gauge({ name: "sweep_errors", help: "Errors of the latest sweep", registers }),
    sweepNewFailures: new Gauge({ name: "sweep_new_failures", help: "New failed jobs the latest sweep found", registers }),
    sweepLastSuccess: new Gauge({
      name: "sweep_last_success_timestamp_seconds",
      help: "End of the latest successful sweep (Unix seconds)",
      registers,
    }),
    signInFailures: new Counter({
      name: "console_sign_in_failures_total",
      help: "Refused sign-ins, by reason (bad-credentials, throttled, disabled, …)",
      labelNames: ["reason"] as const,
      registers,
    }),
    httpDuration: new Histogram({
      name: "console_http_request_duration_seconds",
      help: "Console HTTP requests, by route template, method and status",
      labelNames: ["route", "method", "status"] as const,
      buckets: seconds,
      registers,
    }),
    webhookDeliveries: new Counter({
      name: "webhook_deliveries_total",
      help: "Webhook deliveries by outcome: accepted or rejected by the receiver; ok, duplicate or failed processing",
      labelNames: ["outcome"] as const,
      registers,
    }),
    webhookRefusals: new Counter({
      name: "webhook_refusals_total",
      help: "Webhook deliveries refused by the receiver (nothing stored), by reason",
      labelNames: ["reason"] as const,
      registers,
    }),
    alertDeliveries: new Counter({
      name: "alert_deliveries_total",
      help: "Alert notifications sent, by channel kind and outcome",
      labelNames: ["channel", "outcome"] as const,
      registers,
    }),
  };
}

export type ConsoleMetrics = ReturnType<typeof build>;

const globalForMetrics = globalThis as unknown as { consoleMetrics?: ConsoleMetrics };

export function metrics(): ConsoleMetrics {
  return (globalForMetrics.consoleMetrics ??= build());
}

// Every refusal the webhook receiver counts (lib/webhooks/refusals.ts) is also a sample of webhook_refusals_total.
// Set when this module loads: the receiver imports it, so no refusal comes before the observer.
setWebhookRefusalObserver((reason) => metrics().webhookRefusals.inc({ reason }));

/** Status label of an attempt: the HTTP status, or why there was none. */
export type AttemptStatus = number | "network_error" | "timeout";

export function recordBasiqAttempt(route: string, status: AttemptStatus, seconds: number, retryAfterSeconds?: number): void {
  const m = metrics();
  m.basiqRequests.inc({ route, status: String(status) });
  m.basiqDuration.observe({ route }, seconds);
  if (status === 429) m.basiqRateLimited.inc({ route });
  if (retryAfterSeconds !== undefined) m.basiqRetryAfter.observe({ route }, retryAfterSeconds);
}

export function recordBasiqRetry(route: string, reason: string): void {
  metrics().basiqRetries.inc({ route, reason });
}

export function recordBasiqCall(route: string, outcome: "ok" | "error", seconds: number): void {
  metrics().basiqCallDuration.observe({ route, outcome }, seconds);
}

export function recordTokenRequest(outcome: "ok" | "failed" | "key_refused"): void {
  metrics().basiqTokenRequests.inc({ outcome });
}

const SIGN_IN_REASONS = new Set(["bad-credentials", "disabled", "demo-account-in-live-mode", "password-expired", "throttled", "invalid", "second-factor"]);

export function recordSignInFailure(reason: string): void {
  metrics().signInFailures.inc({ reason: SIGN_IN_REASONS.has(reason) ? reason : "other" });
}

export function recordHttpRequest(route: string, method: string, status: number, seconds: number): void {
  metrics().httpDuration.observe({ route, method, status: String(status) }, seconds);
}

/** One finished job of the job engine (its worker wrapper in lib/queue/engine.ts), every queue. */
export function recordJobDuration(queue: string, outcome: "completed" | "failed", seconds: number): void {
  metrics().queueJobDuration.observe({ queue, outcome }, seconds);
}

/**
 * Webhook deliveries: "accepted" (a new delivery stored by the receiver), "rejected" (refused by the receiver:
 * signature, timestamp, size), then one processing outcome per attempt: "ok" (acted on, or nothing to act on),
 * "duplicate" (the event was already handled), "failed" (retried by the job engine).
 */
export function recordWebhookDelivery(outcome: "accepted" | "rejected" | "ok" | "failed" | "duplicate"): void {
  metrics().webhookDeliveries.inc({ outcome });
}

export function recordAlertDelivery(channel: "slack" | "email", outcome: "sent" | "failed"): void {
  metrics().alertDeliveries.inc({ channel, outcome });
}
