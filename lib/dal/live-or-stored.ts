import "server-only";

// One contract for every page that reads Basiq live and keeps a stored copy (issue 13):
//   ask Basiq (within the page's deadline) → success: the live data, written back after the response;
//   Basiq says the resource does not exist → NotFoundError (or the stored copy, marked, if we still have one);
//   any other Basiq failure, or the deadline → the stored copy with the problem and its age; nothing stored →
//   the failure goes to the page's error boundary.
// A POST /token failure is never "not found" (isBasiqNotFound): a refused API key shows the stored copy.
import { after } from "next/server";
import { cache } from "react";

import { isBasiqError, isBasiqNotFound } from "@/lib/basiq/errors";
import { startDeadline } from "@/lib/deadline";
import { env } from "@/lib/env";
import { NotFoundError } from "@/lib/errors";
import { log } from "@/lib/log";

import { basiqProblem, type BasiqProblemDTO } from "./basiq-problem";

export interface LiveOrStored<T> {
  data: T;
  source: "live" | "stored";
  /** Why the stored copy is shown (null when live). */
  problem: BasiqProblemDTO | null;
  /** When the stored copy was last written (null when live, or unknown). */
  storedAt: string | null;
}

export interface PageDeadline {
  signal: AbortSignal;
  ms: number;
}

/**
 * The Basiq time budget of the current request (BASIQ_PAGE_DEADLINE_MS), shared by every call the page makes:
 * retries happen only inside it. Outside a request (scripts, tests) each call gets a budget of its own.
 */
export const pageDeadline = cache((): PageDeadline => {
  const ms = env().basiqPageDeadlineMs;
  // Not AbortSignal.timeout(): it kept every request in memory (lib/deadline.ts). The timer goes with the response.
  const deadline = startDeadline(ms);
  try {
    after(deadline.release);
  } catch {
    // not in a request scope (a script, a test): the timer is unref'd and ends by itself
  }
  return { signal: deadline.signal, ms };
});

/** Runs `task` after the response is sent when in a request (next's `after()`); otherwise awaits it now. */
export async function afterResponse(task: () => Promise<unknown>, what: string): Promise<void> {
  const run = () =>
    task().then(
      () => undefined,
      (e: unknown) =>
        log.warn(
          { err: e instanceof Error ? e.name : "unknown", what },
          "write-back after a Basiq read failed",
        ),
    );
  try {
    after(run);
  } catch {
    await run(); // not in a request scope (a script, a test): do it now
  }
}

export interface LiveOrStoredSpec<L, T> {
  /** "That user", "That connection"…: the NotFoundError's subject. */
  what: string;
  /** Ids for the log line (never a body). */
  ids: { userId?: string; connectionId?: string; jobId?: string };
  /** The Basiq read; give `signal` to every call. */
  live: (signal: AbortSignal) => Promise<L>;
  /** What the page shows from a live answer. */
  fromLive: (live: L) => T | Promise<T>;
  /** The stored copy, or null when there is none. */
  stored: () => Promise<{ data: T; storedAt: Date | string | null } | null>;
  /** Keep the stored copy current (runs after the response). */
  writeBack?: (live: L) => Promise<unknown>;
  /** Also treat a 400 on the resource's route as "not found" (Basiq's answer for another user's connection). */
  invalidIdIsNotFound?: boolean;
  deadline?: PageDeadline;
}

export async function liveOrStored<L, T>(spec: LiveOrStoredSpec<L, T>): Promise<LiveOrStored<T>> {
  const deadline = spec.deadline ?? pageDeadline();
  let failure: unknown;
  try {
    const live = await spec.live(deadline.signal);
    const data = await spec.fromLive(live);
    if (spec.writeBack) await afterResponse(() => spec.writeBack!(live), spec.what);
    return { data, source: "live", problem: null, storedAt: null };
  } catch (e) {
    failure = e;
  }
  const timedOut = deadline.signal.aborted && !isBasiqError(failure);
  if (!timedOut && !isBasiqError(failure)) throw failure; // a bug, not Basiq: let the page fail loudly
  const gone = isBasiqNotFound(failure, { invalidIdToo: spec.invalidIdIsNotFound });
  const stored = await spec.stored();
  if (!stored) {
    if (gone) throw new NotFoundError(spec.what);
    throw failure;
  }
  const problem: BasiqProblemDTO = timedOut
    ? {
        message: `Basiq did not answer within this page's time budget (${deadline.ms / 1000} s).`,
        correlationId: null,
        kind: "timeout",
      }
    : gone
      ? {
          message: "Basiq no longer has this; the console shows its last stored copy.",
          correlationId: (failure as { correlationId?: string }).correlationId ?? null,
          kind: "gone",
        }
      : basiqProblem(failure);
  log.warn(
    { ...spec.ids, kind: problem.kind, correlationId: problem.correlationId ?? undefined },
    `${spec.what}: shown from the stored copy (Basiq ${timedOut ? "past the page deadline" : "failed"})`,
  );
  const at = stored.storedAt;
  return {
    data: stored.data,
    source: "stored",
    problem,
    storedAt: at === null ? null : typeof at === "string" ? at : at.toISOString(),
  };
}
