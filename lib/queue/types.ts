// The shape every area uses to hand background work to the job engine (lib/queue/engine.ts): a queue name, an
// idempotent handler, and pg-boss options. Areas export arrays of these from lib/<area>/queues.ts; the list in
// lib/queue/registry.ts is what the engine creates, works and schedules.

export interface QueueOptions {
  /** Retries after the first failure (pg-boss retryLimit). Default 3. */
  retryLimit?: number;
  /** Seconds before the first retry (pg-boss retryDelay). Default 10. */
  retryDelay?: number;
  /** Doubles the delay at each retry (pg-boss retryBackoff). Default true. */
  retryBackoff?: boolean;
  /** An active job older than this is failed (and retried): a dead worker's job is taken up again. Default 900. */
  expireInSeconds?: number;
  /**
   * pg-boss queue policy: "standard" (default), "singleton" (one active job at a time; with singletonKeys, one
   * per key), "stately" (at most one queued and one active), "short" (at most one queued).
   */
  policy?: "standard" | "short" | "singleton" | "stately";
  /** Jobs that failed every retry are copied to the queue `<name>__dead` (shown on /operations). Default true. */
  deadLetter?: boolean;
  /** Jobs of this queue one process works on at once. Default 1. */
  localConcurrency?: number;
  /** How often an idle worker looks for jobs. Default 2 s. */
  pollingIntervalSeconds?: number;
  /**
   * A cron schedule (UTC, minute resolution): pg-boss enqueues `cronData` at each tick, once across instances.
   * A function is read at start-up (configuration); undefined = no schedule (an existing one is removed).
   */
  cron?: string | (() => string | undefined);
  cronData?: Record<string, unknown>;
}

export interface QueueDefinition {
  name: string;
  /**
   * Does the work of one job. Must be idempotent: a job is retried after a failure, and after its expiry when
   * the process working on it died. (Method syntax: a handler typed for its own data fits the list.)
   */
  handler(data: never): Promise<void>;
  options?: QueueOptions;
}

export const DEAD_LETTER_SUFFIX = "__dead";
