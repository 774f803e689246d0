import "server-only";

// Concurrency control for Basiq calls.
//
// Limiter: a counting semaphore with a FIFO queue (at most `max` tasks at once, the rest wait in arrival order)
// and a per-key bulkhead (at most `keyMax` of them for one key, e.g. one route), so one hung route cannot take
// every slot. Priority tasks jump the queue.
//
// Lanes: one Limiter per lane. Interactive calls (pages, actions) and background calls (sweep, sync, connector
// refresh) never wait for each other's slots; a 429's Retry-After pauses every lane (PauseGate). Interactive calls
// also come first for the process's own time: while any is in flight or queued (and for a moment after), the
// background lane gives way and starts at most a quarter of its slots (giveWayToInteractive). The sweep's calls
// each cost CPU on the same event loop as the pages (parsing, database writes); at full speed they made pages at
// 16 concurrent 27 % slower at p95.

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
  /** At most this many at once for now (≤ max): lowered while the lane gives way to another. */
  private cap: number;
  private readonly listeners: (() => void)[] = [];
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
    this.cap = max;
    this.lastChange = clock();
  }

  /** How many may run at once right now: max, or less while the lane gives way (setCapacity). */
  get capacity(): number {
    return this.cap;
  }

  /**
   * Lowers (or restores) how many tasks may run at once, between 1 and max. Tasks already running are not
   * interrupted; queued ones start as the count falls below the new capacity, or at once when it is raised.
   */
  setCapacity(capacity: number): void {
    const next = Math.max(1, Math.min(this.max, Math.floor(capacity)));
    if (next === this.cap) return;
    this.cap = next;
    this.startWaiters();
  }

  /** Called after every start and finish of a task (and a queued task's abort). */
  onChange(listener: () => void): void {
    this.listeners.push(listener);
  }

  private changed(): void {
    for (const listener of this.listeners) listener();
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
    return this.running < this.cap && (this.runningByKey.get(key) ?? 0) < this.keyMax;
  }

  private take(key: string): void {
    this.account();
    this.running++;
    this.runningByKey.set(key, (this.runningByKey.get(key) ?? 0) + 1);
    this.changed();
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
        this.changed();
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
      this.changed();
    });
  }

  private release(key: string): void {
    this.account();
    this.running--;
    const left = (this.runningByKey.get(key) ?? 1) - 1;
    if (left === 0) this.runningByKey.delete(key);
    else this.runningByKey.set(key, left);
    this.startWaiters();
    this.changed();
  }

  /** Start waiters in queue order, skipping those whose key is at its bulkhead cap. */
  private startWaiters(): void {
    for (let i = 0; i < this.queue.length && this.running < this.cap;) {
      const waiter = this.queue[i]!;
      if (this.canStart(waiter.key)) {
        this.queue.splice(i, 1);
        waiter.start();
      } else i++;
    }
  }
}

/** While interactive calls run, the background lane keeps this share of its slots (at least one). */
export const GIVE_WAY_SHARE = 0.25;
/** …and for this long after the last interactive call ended (a page renders between its calls and the next page's). */
export const GIVE_WAY_HOLD_MS = 1_000;

/**
 * Interactive first: whenever `interactive` has a call in flight or queued, `background` runs at most
 * GIVE_WAY_SHARE of its slots, until GIVE_WAY_HOLD_MS after `interactive` went idle. Background work never stops
 * (at least one slot), so a busy console slows the sweep down but never starves it.
 */
export function giveWayToInteractive(
  interactive: Limiter,
  background: Limiter,
  { share = GIVE_WAY_SHARE, holdMs = GIVE_WAY_HOLD_MS }: { share?: number; holdMs?: number } = {},
): void {
  const yielded = Math.max(1, Math.floor(background.max * share));
  let hold: ReturnType<typeof setTimeout> | undefined;
  const busy = () => interactive.inFlight + interactive.queued > 0;
  interactive.onChange(() => {
    if (busy()) {
      if (hold) clearTimeout(hold);
      hold = undefined;
      background.setCapacity(yielded);
    } else if (!hold && background.capacity < background.max) {
      hold = setTimeout(() => {
        hold = undefined;
        if (!busy()) background.setCapacity(background.max);
      }, holdMs);
      hold.unref?.();
    }
  });
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
