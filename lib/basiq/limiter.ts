import "server-only";

// A counting semaphore with a FIFO queue: at most `max` tasks run at once, the rest wait in arrival order.
// Priority tasks (token requests) jump the queue, so a token is never stuck behind the calls waiting for it.

interface Waiter {
  start: () => void;
  cleanup: () => void;
}

export interface RunOptions {
  /** Abort while queued: the task leaves the queue and never runs. */
  signal?: AbortSignal;
  /** Put the task at the head of the queue instead of the tail. */
  priority?: boolean;
}

export class Limiter {
  private running = 0;
  private readonly queue: Waiter[] = [];

  constructor(readonly max: number) {
    if (!Number.isInteger(max) || max < 1) throw new RangeError("Limiter max must be a positive integer");
  }

  get inFlight(): number {
    return this.running;
  }

  get queued(): number {
    return this.queue.length;
  }

  async run<T>(task: () => Promise<T>, options: RunOptions = {}): Promise<T> {
    await this.acquire(options);
    try {
      return await task();
    } finally {
      this.release();
    }
  }

  private acquire({ signal, priority = false }: RunOptions): Promise<void> {
    signal?.throwIfAborted();
    if (this.running < this.max && this.queue.length === 0) {
      this.running++;
      return Promise.resolve();
    }
    return new Promise<void>((resolve, reject) => {
      const onAbort = () => {
        const i = this.queue.indexOf(waiter);
        if (i !== -1) this.queue.splice(i, 1);
        reject(signal?.reason);
      };
      const waiter: Waiter = {
        start: () => {
          waiter.cleanup();
          this.running++;
          resolve();
        },
        cleanup: () => signal?.removeEventListener("abort", onAbort),
      };
      signal?.addEventListener("abort", onAbort, { once: true });
      if (priority) this.queue.unshift(waiter);
      else this.queue.push(waiter);
    });
  }

  private release(): void {
    this.running--;
    const next = this.queue.shift();
    next?.start();
  }
}
