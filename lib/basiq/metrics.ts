import "server-only";

// Counters for the admin "integration health" panel. Keyed by route template, so no ids and no secrets.

export interface RouteMetrics {
  /** HTTP requests sent on this route (each retry counts). */
  calls: number;
  status429: number;
  status5xx: number;
  lastRetryAfterSeconds: number | null;
}

/** One concurrency lane (interactive or background) of the client, for the panel and the benchmarks. */
export interface LaneMetrics {
  max: number;
  /** How many it lets in flight right now: max, or fewer while the background lane gives way to interactive calls. */
  capacity: number;
  /** The per-route bulkhead: one route never holds more of the lane than this. */
  routeMax: number;
  inFlight: number;
  queued: number;
  /** In-flight calls per route template (only routes with at least one). */
  inFlightByRoute: Record<string, number>;
  /** Call-milliseconds spent in flight since start: its change over an interval ÷ the interval = average in flight. */
  busyMs: number;
}

/**
 * Whether Basiq answers at all, from every attempt of this process: an HTTP answer below 500 (429 included: Basiq
 * answered) is "reachable"; a 5xx, a timeout or a network error is not. `unreachableSince` is the first failure of
 * the current run of failures (null after any answer).
 */
export interface Reachability {
  unreachableSince: string | null;
  consecutiveFailures: number;
  lastFailureAt: string | null;
  lastAnswerAt: string | null;
}

export class RouteMetricsRecorder {
  private readonly routes = new Map<string, RouteMetrics>();
  unauthorizedRetries = 0;
  private reach: Reachability = { unreachableSince: null, consecutiveFailures: 0, lastFailureAt: null, lastAnswerAt: null };

  /** Basiq answered (status < 500) or did not (5xx, timeout, network error), at `at` (ms). */
  recordReachability(answered: boolean, at: number): void {
    const when = new Date(at).toISOString();
    if (answered) {
      this.reach = { unreachableSince: null, consecutiveFailures: 0, lastFailureAt: this.reach.lastFailureAt, lastAnswerAt: when };
    } else {
      this.reach = {
        unreachableSince: this.reach.unreachableSince ?? when,
        consecutiveFailures: this.reach.consecutiveFailures + 1,
        lastFailureAt: when,
        lastAnswerAt: this.reach.lastAnswerAt,
      };
    }
  }

  reachability(): Reachability {
    return { ...this.reach };
  }

  recordAttempt(route: string): void {
    this.entry(route).calls++;
  }

  recordStatus(route: string, status: number, retryAfterSeconds: number | undefined): void {
    const entry = this.entry(route);
    if (status === 429) entry.status429++;
    if (status >= 500 && status <= 599) entry.status5xx++;
    if (retryAfterSeconds !== undefined) entry.lastRetryAfterSeconds = retryAfterSeconds;
  }

  snapshot(): Record<string, RouteMetrics> {
    return Object.fromEntries([...this.routes].map(([route, m]) => [route, { ...m }]));
  }

  private entry(route: string): RouteMetrics {
    let entry = this.routes.get(route);
    if (!entry) {
      entry = { calls: 0, status429: 0, status5xx: 0, lastRetryAfterSeconds: null };
      this.routes.set(route, entry);
    }
    return entry;
  }
}
