import "server-only";

// Concurrency control for Basiq calls.
//
// Limiter: a counting semaphore with a FIFO queue (at most `max` tasks at once, the rest wait in arrival order)
// and a per-key bulkhead (at most `keyMax` of them for one key, e.g. one route), so one hung route cannot take
// every slot. Priority tasks jump the queue.
//
// Lanes: one Limiter per lane. Interactive calls (pages, actions) and background calls (sweep, sync, connector
// refresh) never wait for each other's slots; a 429's Retry-After pauses every lane (PauseGate).

interface Waiter {
  key: string;
  start: () => void;
}

export interface RunOptions {
  /** Abort while queued: the task leaves the queue and never runs. */
  signal?: AbortSignal;
  /** Put the task at the head of the queue instead of the tail. */
  priority?: boolean;
  /** The bulkhead key (a route template); tasks without one share the key "". */
  key?: string;
}

export class Limiter {
  private running = 0;
  private readonly runningByKey = new Map<string, number>();
  private readonly queue: Waiter[] = [];
  private busy = 0;
  private lastChange: number;
  readonly keyMax: number;

  constructor(
    readonly max: number,
    keyMax: number = max,
    private readonly clock: () => number = () => performance.now(),
  ) {
    if (!Number.isInteger(max) || max < 1) throw new RangeError("Limiter max must be a positive integer");
    if (!Number.isInteger(keyMax) || keyMax < 1 || keyMax > max)
      throw new RangeError("Limiter keyMax must be an integer from 1 to max");
    this.keyMax = keyMax;
    this.lastChange = clock();
  }

  get inFlight(): number {
    return this.running;
  }

  get queued(): number {
    return this.queue.length;
  }

  /** In-flight tasks per key (only keys with at least one). */
  inFlightByKey(): Record<string, number> {
    return Object.fromEntries(this.runningByKey);
  }

  /** The integral of in-flight tasks over time (task-milliseconds): Δbusy / Δt is the average in flight. */
  get busyMs(): number {
    this.account();
    return this.busy;
  }

  async run<T>(task: () => Promise<T>, options: RunOptions = {}): Promise<T> {
    const key = options.key ?? "";
    await this.acquire(key, options);
    try {
      return await task();
    } finally {
      this.release(key);
    }
  }

  private canStart(key: string): boolean {
    return this.running < this.max && (this.runningByKey.get(key) ?? 0) < this.keyMax;
  }

  private take(key: string): void {
    this.account();
    this.running++;
    this.runningByKey.set(key, (this.runningByKey.get(key) ?? 0) + 1);
  }

  private account(): void {
    const t = this.clock();
    this.busy += this.running * (t - this.lastChange);
    this.lastChange = t;
  }

  private acquire(key: string, { signal, priority = false }: RunOptions): Promise<void> {
    signal?.throwIfAborted();
    // Every startable waiter is started on release, so a free slot with no one of this key queued is ours.
    if (this.canStart(key) && (priority || !this.queue.some((w) => w.key === key))) {
      this.take(key);
      return Promise.resolve();
    }
    return new Promise<void>((resolve, reject) => {
      const onAbort = () => {
        const i = this.queue.indexOf(waiter);
        if (i !== -1) this.queue.splice(i, 1);
        reject(signal?.reason);
      };
      const waiter: Waiter = {
        key,
        start: () => {
          signal?.removeEventListener("abort", onAbort);
          this.take(key);
          resolve();
        },
      };
      signal?.addEventListener("abort", onAbort, { once: true });
      if (priority) this.queue.unshift(waiter);
      else this.queue.push(waiter);
    });
  }

  private release(key: string): void {
    this.account();
    this.running--;
    const left = (this.runningByKey.get(key) ?? 1) - 1;
    if (left === 0) this.runningByKey.delete(key);
    else this.runningByKey.set(key, left);
    // Start waiters in queue order, skipping those whose key is at its bulkhead cap.
    for (let i = 0; i < this.queue.length && this.running < this.max;) {
      const waiter = this.queue[i]!;
      if (this.canStart(waiter.key)) {
        this.queue.splice(i, 1);
        waiter.start();
      } else i++;
    }
  }
}

export const LANES = ["interactive", "background"] as const;
/** interactive: pages and actions (the default). background: sweep, directory sync, connector refresh. */
export type Lane = (typeof LANES)[number];

/** A route may hold at most this share of its lane, so one hung route leaves slots for the others. */
export function routeCap(laneMax: number): number {
  return Math.max(1, Math.floor(laneMax * 0.8));
}

/**
 * A pause every lane honours: a 429 with Retry-After from any call holds back every new request until then,
 * instead of each caller discovering the limit with a request of its own.
 */
export class PauseGate {
  private until = 0;

  constructor(
    private readonly now: () => number,
    private readonly sleep: (ms: number, signal?: AbortSignal) => Promise<void>,
  ) {}

  /** Extends the pause to `untilMs` (epoch ms on `now`'s clock); never shortens it. */
  pause(untilMs: number): void {
    this.until = Math.max(this.until, untilMs);
  }

  /** Milliseconds left of the current pause (0 when none). */
  remainingMs(): number {
    return Math.max(0, this.until - this.now());
  }

  async wait(signal?: AbortSignal): Promise<void> {
    for (let left = this.remainingMs(); left > 0; left = this.remainingMs()) await this.sleep(left, signal);
  }
}
