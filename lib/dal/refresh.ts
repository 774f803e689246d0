import "server-only";

// Ad-hoc refreshes (support/admin), kept to a minimum as Basiq asks: open-banking connections get 20 a day, counted
// in refresh_log under a per-connection lock so 21 simultaneous clicks cannot overspend; Basiq's own refusal is
// reported the same way. The smart cache already refreshes every connection daily.
import { and, eq, gte, inArray, sql } from "drizzle-orm";

import { recordAudit } from "@/lib/audit";
import { requirePermission } from "@/lib/auth/session";
import { basiq } from "@/lib/basiq";
import { BasiqApiError, BasiqOutcomeUnknownError, isBasiqError, isBasiqNotFound } from "@/lib/basiq/errors";
import { getDb } from "@/lib/db";
import { refreshLog } from "@/lib/db/schema";
import { NotFoundError, UserFacingError } from "@/lib/errors";

import { basiqUserIdSchema, connectionIdSchema } from "./ids";

export const OPEN_BANKING_DAILY_REFRESHES = 20;
const DAY_MS = 24 * 3600_000;
/** Outcomes that spend the budget: started, about to start, or maybe started. */
const SPENT = ["pending", "started", "unknown"];

export interface RefreshBudgetDTO {
  limited: boolean;
  used: number;
  limit: number;
  nextAvailableAt: string | null;
}

async function budget(connectionId: string, db: Awaited<ReturnType<typeof getDb>>, limited: boolean): Promise<RefreshBudgetDTO> {
  const since = new Date(Date.now() - DAY_MS);
  const rows = await db
    .select({ at: refreshLog.requestedAt })
    .from(refreshLog)
    .where(and(eq(refreshLog.connectionId, connectionId), gte(refreshLog.requestedAt, since), inArray(refreshLog.outcome, SPENT)))
    .orderBy(refreshLog.requestedAt);
  const used = rows.length;
  const oldest = rows[0]?.at;
  return {
    limited,
    used,
    limit: OPEN_BANKING_DAILY_REFRESHES,
    nextAvailableAt: limited && used >= OPEN_BANKING_DAILY_REFRESHES && oldest ? new Date(oldest.getTime() + DAY_MS).toISOString() : null,
  };
}

export async function getRefreshBudget(connectionId: string, method: string): Promise<RefreshBudgetDTO> {
  await requirePermission("connections.refresh");
  return budget(connectionId, await getDb(), method === "openbanking");
}

export async function refreshConnection(rawUserId: string, rawConnectionId: string): Promise<{ jobId: string; budget: RefreshBudgetDTO }> {
  const caller = await requirePermission("connections.refresh");
  const userId = basiqUserIdSchema.parse(rawUserId);
  const connectionId = connectionIdSchema.parse(rawConnectionId);
  const actor = { id: caller.id, email: caller.email, role: caller.role };
  const ctx = { userId, connectionId };

  let method: string;
  try {
    method = (await basiq().getConnection(userId, connectionId, ctx)).method;
  } catch (e) {
    if (isBasiqNotFound(e, { invalidIdToo: true })) throw new NotFoundError("That connection of this user");
    throw e;
  }
  const limited = method === "openbanking";
  const db = await getDb();

  // Count and reserve under a per-connection lock: the 21st of 21 simultaneous requests sees 20 reserved.
  const reserved = await db.transaction(async (tx) => {
    await tx.execute(sql`select pg_advisory_xact_lock(hashtext(${`refresh:${connectionId}`}))`);
    const current = await budget(connectionId, tx as unknown as typeof db, limited);
    if (limited && current.used >= OPEN_BANKING_DAILY_REFRESHES) return { row: null, current };
    const [row] = await tx.insert(refreshLog).values({ userId, connectionId, method, requestedBy: caller.id, outcome: "pending" }).returning();
    return { row: row!, current };
  });
  if (!reserved.row) {
    await recordAudit({ actor, action: "refresh.refused", outcome: "denied", userId, connectionId, details: { reason: "budget", used: reserved.current.used } });
    throw new UserFacingError(
      `This open-banking connection has used ${reserved.current.used} of its ${OPEN_BANKING_DAILY_REFRESHES} refreshes in the last 24 hours. The next one is available ${reserved.current.nextAvailableAt ? `at ${new Date(reserved.current.nextAvailableAt).toUTCString()}` : "tomorrow"}; the daily automatic refresh continues meanwhile.`,
    );
  }

  const id = reserved.row.id;
  try {
    const started = await basiq().refreshConnection(userId, connectionId, ctx);
    await db.update(refreshLog).set({ outcome: "started", jobId: started.jobId }).where(eq(refreshLog.id, id));
    await recordAudit({ actor, action: "refresh.started", outcome: "success", userId, connectionId, jobId: started.jobId });
    return { jobId: started.jobId, budget: await budget(connectionId, db, limited) };
  } catch (e) {
    const correlationId = isBasiqError(e) ? (e.correlationId ?? null) : null;
    const outcome = e instanceof BasiqOutcomeUnknownError ? "unknown" : e instanceof BasiqApiError && e.status === 429 ? "refused-basiq" : "failed";
    await db.update(refreshLog).set({ outcome, correlationId }).where(eq(refreshLog.id, id));
    await recordAudit({ actor, action: "refresh.failed", outcome: outcome === "unknown" ? "unknown" : "failure", userId, connectionId, correlationId, details: { outcome } });
    if (outcome === "refused-basiq") {
      throw new UserFacingError("Basiq refused: this connection has reached its refresh limit for today. The daily automatic refresh continues.");
    }
    if (outcome === "unknown") throw new UserFacingError("No readable answer from Basiq: the refresh may or may not have started. Check the job history before trying again.");
    throw e;
  }
}
