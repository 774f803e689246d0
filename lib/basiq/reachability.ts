import "server-only";

import { outsideRequest } from "@/lib/async-context";

import type { BasiqClient } from "./client";
import { isBasiqKeyRefused } from "./errors";

// Is Basiq answering us? For /api/health (issue 14 item 11): a cached token only proves Basiq answered once, up to
// an hour ago. This makes one cheap authenticated read (GET /events/types) at most every 30 s per process, shared
// by every caller in that window (single flight), so a load balancer polling each second costs Basiq nothing more.

export type Reachability = "ok" | "unauthorized" | "down";

export const REACHABILITY_CACHE_MS = 30_000;
const PROBE_TIMEOUT_MS = 5_000;

interface Probe {
  startedAt: number;
  verdict: Promise<Reachability>;
}

export interface ReachabilityProbe {
  /** The latest verdict, or a fresh one when it is older than REACHABILITY_CACHE_MS. */
  check(): Promise<Reachability>;
}

export function createReachabilityProbe(client: () => BasiqClient, now: () => number = Date.now): ReachabilityProbe {
  let last: Probe | undefined;
  return {
    check() {
      const t = now();
      if (last && t - last.startedAt < REACHABILITY_CACHE_MS) return last.verdict;
      // Kept for REACHABILITY_CACHE_MS across requests: started outside the one asking (lib/async-context.ts).
      const verdict = outsideRequest(() =>
        client()
          // A health check answers in seconds: retries beyond this budget would only hide the outage.
          .checkReachability({ signal: AbortSignal.timeout(PROBE_TIMEOUT_MS) })
          .then(
            () => "ok" as const,
            (e: unknown) => (isBasiqKeyRefused(e) ? ("unauthorized" as const) : ("down" as const)),
          ),
      );
      last = { startedAt: t, verdict };
      return verdict;
    },
  };
}
