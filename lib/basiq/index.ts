import "server-only";

import { env } from "../env";
import { type BasiqClient, createBasiqClient, type Lane } from "./client";
import { createReachabilityProbe, type ReachabilityProbe } from "./reachability";
import type { BasiqFetch } from "./undici-fetch";

// The server-wide Basiq client: one token cache and one concurrency budget per process (the sweep shares it).
// Kept on globalThis so a dev-server hot reload reuses it instead of building a second token cache.

const globalForBasiq = globalThis as unknown as {
  basiqClient?: BasiqClient;
  basiqProbe?: ReachabilityProbe;
  basiqFetchForTests?: BasiqFetch;
};

/**
 * Tests: the HTTP exchange the next client built here uses instead of undici (a fake Basiq, or a counting wrapper);
 * undefined restores the default. Call resetBasiqClientForTests() after it.
 */
export function setBasiqFetchForTests(fetch: BasiqFetch | undefined): void {
  globalForBasiq.basiqFetchForTests = fetch;
}

/**
 * The process's client. Calls default to the interactive lane (pages, actions); pass "background" for work
 * nobody is waiting on (sweep, directory sync, events sync, connector refresh): same token cache, own slots.
 */
export function basiq(lane: Lane = "interactive"): BasiqClient {
  if (!globalForBasiq.basiqClient) {
    const { basiq: target, basiqTimeoutMs, basiqMaxRetryWaitMs, basiqMaxInFlight } = env();
    globalForBasiq.basiqClient = createBasiqClient({
      baseUrl: target.apiUrl,
      apiKey: target.apiKey,
      timeoutMs: basiqTimeoutMs,
      maxRetryAfterMs: basiqMaxRetryWaitMs,
      interactiveMaxInFlight: basiqMaxInFlight.interactive,
      backgroundMaxInFlight: basiqMaxInFlight.background,
      ...(globalForBasiq.basiqFetchForTests ? { fetch: globalForBasiq.basiqFetchForTests } : {}),
    });
  }
  return lane === "interactive" ? globalForBasiq.basiqClient : globalForBasiq.basiqClient.inLane(lane);
}

/**
 * The process's reachability probe (one authenticated GET /events/types per 30 s at most, single flight, background
 * lane): /api/health asks it, and so does the outage banner while it shows, so recovery is seen on pages that make no
 * Basiq call of their own.
 */
export function basiqReachability(): ReachabilityProbe {
  globalForBasiq.basiqProbe ??= createReachabilityProbe(() => basiq("background"));
  return globalForBasiq.basiqProbe;
}

/** Tests only: forget the singletons so the next basiq() builds a fresh client from env(). */
export function resetBasiqClientForTests(): void {
  globalForBasiq.basiqClient = undefined;
  globalForBasiq.basiqProbe = undefined;
}

export {
  type BasiqClient,
  type BasiqClientOptions,
  type BasiqMetrics,
  type CallContext,
  createBasiqClient,
  type EventPage,
  type Lane,
  type LaneMetrics,
  type RefreshStarted,
  type UserJobs,
} from "./client";
export * from "./errors";
export type { RouteMetrics } from "./metrics";
export * from "./schemas";
