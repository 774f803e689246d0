// A deadline for one request's work: an AbortSignal that aborts after `ms` (reason: a TimeoutError, as
// AbortSignal.timeout's), and release() to drop its timer as soon as the request is over.
//
// Why not AbortSignal.timeout(): Node keeps that timer in a FinalizationRegistry until the signal is garbage
// collected, and a timer holds the async context it was created in — the request's AsyncLocalStorage stores. A
// page keeps its deadline in its request (React cache()), so the store reached the signal and the signal was never
// collected: every page view stayed in memory for good (bench:http's server grew ~125 KB a request, 0.5 to 2.3 GB in
// 12,000 views; heap snapshots showed every ServerResponse held through AbortSignal's clearTimeoutRegistry).
export interface Deadline {
  signal: AbortSignal;
  /** Stops the timer (the signal stays as it is). Idempotent. */
  release(): void;
}

export function startDeadline(ms: number): Deadline {
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(new DOMException(`The deadline of ${ms} ms passed.`, "TimeoutError")), ms);
  timer.unref(); // never what keeps a script alive
  return { signal: controller.signal, release: () => clearTimeout(timer) };
}
