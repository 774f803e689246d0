import "server-only";

import { basiq, type BasiqClient, basiqReachability } from "@/lib/basiq";
import type { ReachabilityProbe } from "@/lib/basiq/reachability";
import type { Reachability } from "@/lib/basiq/metrics";
import {
  BasiqNetworkError,
  BasiqSchemaError,
  BasiqTimeoutError,
  isBasiqError,
  isBasiqKeyRefused,
  isTokenFailure,
  KEY_REFUSED_MESSAGE,
} from "@/lib/basiq/errors";

/** Why a page could not use Basiq's live answer. `key-refused` is shown prominently (nothing will work). */
export type BasiqProblemKind =
  | "key-refused"
  | "token-unavailable"
  | "unreadable"
  | "unreachable"
  | "timeout"
  | "unavailable"
  | "rate-limited"
  | "refused"
  | "gone";

/**
 * The one problem type every page shows (components/basiq-problem-alert.tsx): a plain sentence and Basiq's
 * reference, nothing else from the error.
 */
export interface BasiqProblemDTO {
  kind: BasiqProblemKind;
  message: string;
  correlationId: string | null;
}

export function basiqProblem(e: unknown): BasiqProblemDTO {
  const correlationId = isBasiqError(e) ? (e.correlationId ?? null) : null;
  const problem = (kind: BasiqProblemKind, message: string): BasiqProblemDTO => ({
    kind,
    message,
    correlationId,
  });
  if (!isBasiqError(e)) return problem("unreachable", "Basiq could not be reached.");
  if (isBasiqKeyRefused(e)) {
    return problem(
      "key-refused",
      `${KEY_REFUSED_MESSAGE} (POST /token answered HTTP ${e.status}): check BASIQ_API_KEY. Nothing was asked about this page's data.`,
    );
  }
  if (isTokenFailure(e))
    return problem(
      "token-unavailable",
      "Basiq could not issue an access token right now (POST /token failed).",
    );
  if (e instanceof BasiqSchemaError)
    return problem("unreadable", "Basiq sent a response this console cannot read.");
  if (e instanceof BasiqNetworkError) return problem("unreachable", "Basiq could not be reached.");
  if (e instanceof BasiqTimeoutError || !e.status) return problem("timeout", "Basiq did not answer in time.");
  if (e.status >= 500) return problem("unavailable", `Basiq is unavailable (HTTP ${e.status}).`);
  if (e.status === 429) return problem("rate-limited", "Basiq is rate-limiting us right now.");
  return problem("refused", `Basiq answered HTTP ${e.status} (${e.code ?? "error"}).`);
}

// ---------------------------------------------------------------------------------------------------------
// A Basiq outage, as this process sees it: the one banner at the top of every page, and the reason actions that
// need Basiq are off. One failed attempt is a blip (it is retried); three in a row, with no answer from Basiq on any
// route for 10 s, is down.

export const OUTAGE_AFTER_FAILURES = 3;
/** ...and no answer from Basiq on any route for this long (one failing route among working ones is no outage). */
export const OUTAGE_QUIET_MS = 10_000;

export interface BasiqOutageDTO {
  /** The first failure of the current run of failures (ISO). */
  since: string;
  message: string;
}

export function basiqOutageFrom(reach: Reachability, now: number = Date.now()): BasiqOutageDTO | null {
  if (!reach.unreachableSince || reach.consecutiveFailures < OUTAGE_AFTER_FAILURES) return null;
  if (reach.lastAnswerAt && now - Date.parse(reach.lastAnswerAt) < OUTAGE_QUIET_MS) return null;
  return {
    since: reach.unreachableSince,
    message: "Basiq cannot be reached: pages show stored copies, and actions that need Basiq are off until it answers again.",
  };
}

/**
 * The current outage, or null, from the client's own record of its last attempts (the render waits for no Basiq
 * call). While it reports an outage it also starts the reachability probe in the background (at most one
 * GET /events/types per 30 s per process): without it, the banner on pages that call Basiq themselves would clear
 * on Basiq's first answer, but on the overview and the lists it would stay until background work happened to call.
 */
export function currentBasiqOutage(): BasiqOutageDTO | null {
  return outageAndRecoveryCheck(basiq(), basiqReachability());
}

/** currentBasiqOutage with its client and probe given (tests). */
export function outageAndRecoveryCheck(client: Pick<BasiqClient, "metrics">, probe: ReachabilityProbe, now: number = Date.now()): BasiqOutageDTO | null {
  const outage = basiqOutageFrom(client.metrics().reachability, now);
  if (outage) void probe.check();
  return outage;
}
