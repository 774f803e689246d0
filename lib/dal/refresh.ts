import "server-only";

// Ad-hoc refreshes (support/admin), kept to a minimum as Basiq asks. Basiq's documented behaviour, followed here:
// - only active connections refresh ("refreshing will not work for inactive connections"): anything else is
//   refused with the reason, before any call that could start a job;
// - a refresh while a job is queued or running answers 200 with the *original* job: that is "already running",
//   it spends no budget and is audited once as refresh.joined;
// - open-banking connections get 20 refreshes a day, whoever asks: the partner's app uses the same key, so the
//   count is the larger of Basiq's own job history for the connection (GET /users/{id}/jobs, every origin) and
//   our refresh_log (which also holds refreshes whose outcome is unknown), taken under a per-connection lock so
//   21 simultaneous clicks cannot overspend;
// - Basiq's refusals are the ones its spec documents for this operation (400/403/404/500/503, never a 429):
//   each gets a message saying what happened. The smart cache already refreshes every connection daily.
import { and, eq, gte, inArray } from "drizzle-orm";

import { recordAudit } from "@/lib/audit";
import { requirePermission } from "@/lib/auth/session";
import { basiq } from "@/lib/basiq";
import { BasiqApiError, BasiqOutcomeUnknownError, isBasiqError, isBasiqNotFound } from "@/lib/basiq/errors";
import type { Job } from "@/lib/basiq/schemas";
import { getDb } from "@/lib/db";
import { refreshLog } from "@/lib/db/schema";
import { NotFoundError, UserFacingError } from "@/lib/errors";
import { jobOutcome } from "@/lib/jobs/outcome";
import { log } from "@/lib/log";

import { connectionRecords, REFRESH_WINDOW_MS, SPENT_OUTCOMES } from "./connection-records";
import { basiqUserIdSchema, connectionIdSchema } from "./ids";
import { liveUserJobs } from "./live";
import { textLockKeys, xactLock } from "@/lib/db/advisory-locks";

export const OPEN_BANKING_DAILY_REFRESHES = 20;
const DAY_MS = REFRESH_WINDOW_MS;
const SPENT = SPENT_OUTCOMES;

export interface RefreshBudgetDTO {
  limited: boolean;
  used: number;
  limit: number;
  nextAvailableAt: string | null;
  /** Jobs Basiq shows for this connection in the last 24 h, every origin (null when Basiq was not asked). */
  basiqJobs: number | null;
}

/** What Basiq's job history says about one connection: jobs of the last 24 h, and the one running, if any. */
export interface BasiqJobWindow {
  createdInWindow: number[];
  runningJobId: string | null;
}

export function jobWindow(jobs: readonly Job[], now = Date.now()): BasiqJobWindow {
  const createdInWindow = jobs
    .map((job) => Date.parse(job.created ?? ""))
    .filter((at) => Number.isFinite(at) && at > now - DAY_MS)
    .sort((a, b) => a - b);
  const running = jobs.find((job) => {
    const outcome = jobOutcome(job);
    return outcome === "in-progress" || outcome === "pending";
  });
  return { createdInWindow, runningJobId: running?.id ?? null };
}

type Db = Awaited<ReturnType<typeof getDb>>;

/** `logged`: our refresh_log's spending refreshes of the last 24 h when the caller has read them already. */
async function budget(connectionId: string, db: Db, limited: boolean, basiqWindow: BasiqJobWindow | null, logged?: Date[]): Promise<RefreshBudgetDTO> {
  const since = new Date(Date.now() - DAY_MS);
  const rows =
    logged?.map((at) => ({ at })) ??
    (await db
      .select({ at: refreshLog.requestedAt })
      .from(refreshLog)
      .where(and(eq(refreshLog.connectionId, connectionId), gte(refreshLog.requestedAt, since), inArray(refreshLog.outcome, SPENT)))
      .orderBy(refreshLog.requestedAt));
  const ours = rows.map((r) => r.at.getTime());
  // Our refreshes are in Basiq's history too: the larger count is the honest one, never the sum.
  const basiqTimes = basiqWindow?.createdInWindow ?? [];
  const times = basiqTimes.length > ours.length ? basiqTimes : ours;
  const used = times.length;
  const oldest = times[0];
  return {
    limited,
    used,
    limit: OPEN_BANKING_DAILY_REFRESHES,
    nextAvailableAt:
      limited && used >= OPEN_BANKING_DAILY_REFRESHES && oldest !== undefined ? new Date(oldest + DAY_MS).toISOString() : null,
    basiqJobs: basiqWindow ? basiqTimes.length : null,
  };
}

/** Basiq's job history of one connection; null (and a log line) when Basiq cannot be asked. */
async function readJobWindow(userId: string, connectionId: string): Promise<BasiqJobWindow | null> {
  try {
    const { jobs } = await basiq().listUserJobs(userId, { userId, connectionId });
    return jobWindow(jobs);
  } catch (e) {
    log.warn({ userId, connectionId, correlationId: isBasiqError(e) ? e.correlationId : undefined }, "refresh budget: Basiq job history unavailable, counting our own log only");
    return null;
  }
}

/**
 * The budget shown on the connection page. With `userId`, Basiq's job history for the connection counts too
 * (refreshes the partner's app made with the same key): the page's own read of that history (liveUserJobs, one
 * call per request, started with the page's other Basiq calls), not a second round trip after the connection.
 */
export async function getRefreshBudget(connectionId: string, method: string, userId?: string): Promise<RefreshBudgetDTO> {
  await requirePermission("connections.refresh");
  const id = connectionIdSchema.parse(connectionId);
  const owner = userId ? basiqUserIdSchema.parse(userId) : null;
  const window = owner
    ? await liveUserJobs(owner, id).then(
        ({ jobs }) => jobWindow(jobs),
        (e: unknown) => {
          log.warn({ userId: owner, connectionId: id, correlationId: isBasiqError(e) ? e.correlationId : undefined }, "refresh budget: Basiq job history unavailable, counting our own log only");
          return null;
        },
      )
    : null;
  // The page's one read of this connection's records (shared with its purged state).
  const { refreshes } = await connectionRecords(id);
  return budget(id, await getDb(), method === "openbanking", window, refreshes);
}

/** Why a connection in this status is not refreshed (Basiq: refreshing does not work for inactive connections). */
export function inactiveRefusal(status: string): string {
  switch (status) {
    case "invalid":
      return (
        "This connection is invalid, so a refresh will not work: ask the user to reconnect through the Consent UI. " +
        "(Basiq says a successful manual refresh can sometimes restore an invalid connection; the console does not try it, " +
        "as repeated logins with old details can lock the user out of their bank.)"
      );
    case "pending":
    case "init":
    case "pre-init":
      return `This connection is ${status}: the user has not finished connecting their bank, so there is nothing to refresh yet.`;
    default:
      return `This connection is ${status}, not active: Basiq refreshes only active connections.`;
  }
}

type RefusalOutcome = "refused-basiq" | "failed" | "unknown";

/** Basiq's documented refusals of POST …/refresh, each with a message support can act on. */
export function refusalOf(e: BasiqApiError): { outcome: RefusalOutcome; message: string } {
  const code = e.code ? ` (${e.status} ${e.code})` : ` (HTTP ${e.status})`;
  if (e.status === 400) {
    if (e.code === "invalid-credentials") {
      return { outcome: "refused-basiq", message: `Basiq refused the refresh${code}: the bank login saved for this connection is not valid. Ask the user to reconnect through the Consent UI.` };
    }
    if (e.code === "institution-not-supported") {
      return { outcome: "refused-basiq", message: `Basiq refused the refresh${code}: this institution no longer supports this connection method. See the connector page.` };
    }
    return { outcome: "refused-basiq", message: `Basiq refused the refresh${code}: it cannot refresh this connection as it is (for example a statement upload, or a connection that is not active).` };
  }
  if (e.status === 403) {
    return {
      outcome: "refused-basiq",
      message:
        `Basiq refused the refresh${code}. Open-banking connections allow ${OPEN_BANKING_DAILY_REFRESHES} refreshes a day counted by Basiq ` +
        "across every app using this API key, so this is most likely the daily limit; otherwise our key lacks access to this connection. " +
        "No refresh was started; the daily automatic refresh continues.",
    };
  }
  if (e.status === 503) {
    return { outcome: "failed", message: `Basiq is temporarily unavailable${code}: no refresh was started. Try again in a few minutes.` };
  }
  if (e.status >= 500) {
    return { outcome: "unknown", message: `Basiq failed while starting the refresh${code}: it may or may not have started. Check the job history before trying again.` };
  }
  return { outcome: "refused-basiq", message: `Basiq refused the refresh${code}. No refresh was started.` };
}

export interface RefreshResult {
  jobId: string;
  /** True when a job was already queued or running: Basiq returned it instead of starting another. */
  joined: boolean;
  budget: RefreshBudgetDTO;
}

export async function refreshConnection(rawUserId: string, rawConnectionId: string): Promise<RefreshResult> {
  const caller = await requirePermission("connections.refresh");
  const userId = basiqUserIdSchema.parse(rawUserId);
  const connectionId = connectionIdSchema.parse(rawConnectionId);
  const actor = { id: caller.id, email: caller.email, role: caller.role };
  const ctx = { userId, connectionId };

  let connection: { method: string; status?: string };
  try {
    connection = await basiq().getConnection(userId, connectionId, ctx);
  } catch (e) {
    if (isBasiqNotFound(e, { invalidIdToo: true })) throw new NotFoundError("That connection of this user");
    throw e;
  }
  const { method } = connection;
  const status = connection.status ?? "unknown";
  if (status !== "active") {
    await recordAudit({ actor, action: "refresh.refused", outcome: "denied", userId, connectionId, details: { reason: "inactive", status } });
    throw new UserFacingError(inactiveRefusal(status));
  }
  const limited = method === "openbanking";
  const db = await getDb();
  const window = await readJobWindow(userId, connectionId);

  // A job already queued or running: Basiq would return it (200). Join it without asking Basiq to refresh.
  if (window?.runningJobId) return joined(window.runningJobId, window);

  // Count and reserve under a per-connection lock: the 21st of 21 simultaneous requests sees 20 reserved.
  const reserved = await db.transaction(async (tx) => {
    await tx.execute(xactLock(textLockKeys.refresh(connectionId)));
    const current = await budget(connectionId, tx as unknown as Db, limited, window);
    if (limited && current.used >= OPEN_BANKING_DAILY_REFRESHES) return { row: null, current };
    const [row] = await tx.insert(refreshLog).values({ userId, connectionId, method, requestedBy: caller.id, outcome: "pending" }).returning();
    return { row: row!, current };
  });
  if (!reserved.row) {
    await recordAudit({
      actor,
      action: "refresh.refused",
      outcome: "denied",
      userId,
      connectionId,
      details: { reason: "budget", used: reserved.current.used, basiqJobs: reserved.current.basiqJobs },
    });
    throw new UserFacingError(
      `This open-banking connection has used ${reserved.current.used} of its ${OPEN_BANKING_DAILY_REFRESHES} refreshes in the last 24 hours (counting refreshes by every app using this Basiq key). The next one is available ${reserved.current.nextAvailableAt ? `at ${new Date(reserved.current.nextAvailableAt).toUTCString()}` : "tomorrow"}; the daily automatic refresh continues meanwhile.`,
    );
  }

  const id = reserved.row.id;
  try {
    const started = await basiq().refreshConnection(userId, connectionId, ctx);
    if (started.alreadyRunning) {
      // 200 + the original job: nothing was started, so the reservation is released.
      await db.update(refreshLog).set({ outcome: "joined", jobId: started.jobId }).where(eq(refreshLog.id, id));
      return joined(started.jobId, null);
    }
    await db.update(refreshLog).set({ outcome: "started", jobId: started.jobId }).where(eq(refreshLog.id, id));
    await recordAudit({ actor, action: "refresh.started", outcome: "success", userId, connectionId, jobId: started.jobId });
    return { jobId: started.jobId, joined: false, budget: await budget(connectionId, db, limited, bump(window, Date.now())) };
  } catch (e) {
    const correlationId = isBasiqError(e) ? (e.correlationId ?? null) : null;
    if (isBasiqNotFound(e)) {
      await db.update(refreshLog).set({ outcome: "failed", correlationId }).where(eq(refreshLog.id, id));
      throw new NotFoundError("That connection of this user");
    }
    const refusal =
      e instanceof BasiqOutcomeUnknownError
        ? { outcome: "unknown" as const, message: "No readable answer from Basiq: the refresh may or may not have started. Check the job history before trying again." }
        : e instanceof BasiqApiError
          ? refusalOf(e)
          : null;
    const outcome = refusal?.outcome ?? "failed";
    await db.update(refreshLog).set({ outcome, correlationId }).where(eq(refreshLog.id, id));
    await recordAudit({
      actor,
      action: "refresh.failed",
      outcome: outcome === "unknown" ? "unknown" : "failure",
      userId,
      connectionId,
      correlationId,
      details: { outcome, status: e instanceof BasiqApiError ? e.status : null, code: e instanceof BasiqApiError ? (e.code ?? null) : null },
    });
    if (refusal) throw new UserFacingError(`${refusal.message}${correlationId ? ` Basiq reference: ${correlationId}.` : ""}`);
    throw e;
  }

  async function joined(jobId: string, basiqWindow: BasiqJobWindow | null): Promise<RefreshResult> {
    await recordAudit({ actor, action: "refresh.joined", outcome: "success", userId, connectionId, jobId, details: { reason: "already-running" } });
    return { jobId, joined: true, budget: await budget(connectionId, db, limited, basiqWindow) };
  }
}

/** The window after a refresh we just started (Basiq's history did not have it yet when it was read). */
function bump(window: BasiqJobWindow | null, at: number): BasiqJobWindow | null {
  return window ? { ...window, createdInWindow: [...window.createdInWindow, at] } : null;
}
