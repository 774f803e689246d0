import "server-only";

// Pure retry policy: which failures are worth another attempt, and how long to wait first.

/** Statuses worth retrying for idempotent calls. 400/401/403/404/410 and the rest are final (401 has its own path). */
export function isRetryableStatus(status: number): boolean {
  return status === 408 || status === 429 || (status >= 500 && status <= 599);
}

export interface BackoffPolicy {
  baseMs: number;
  capMs: number;
}

export const DEFAULT_BACKOFF: BackoffPolicy = { baseMs: 500, capMs: 8_000 };

/**
 * "Full jitter" exponential backoff: a uniform wait in [0, min(cap, base × 2^retryIndex)).
 * Spreading retries over the whole window stops many callers that failed together from retrying together.
 */
export function backoffDelayMs(
  retryIndex: number,
  random: () => number,
  policy: BackoffPolicy = DEFAULT_BACKOFF,
) {
  const ceiling = Math.min(policy.capMs, policy.baseMs * 2 ** retryIndex);
  return Math.floor(random() * ceiling);
}

/**
 * `Retry-After` as whole seconds from now: either delta-seconds or an HTTP date (RFC 9110 §10.2.3).
 * Returns undefined when absent or unreadable; a date in the past means 0.
 */
export function parseRetryAfter(value: string | null | undefined, nowMs: number): number | undefined {
  if (value == null) return undefined;
  const trimmed = value.trim();
  if (trimmed === "") return undefined;
  if (/^\d+$/.test(trimmed)) return Number(trimmed);
  // Only accept something that looks like a date, so "soon" or "-5" is not read as one.
  if (!/[a-z]/i.test(trimmed)) return undefined;
  const at = Date.parse(trimmed);
  if (Number.isNaN(at)) return undefined;
  return Math.max(0, Math.ceil((at - nowMs) / 1000));
}
