import "server-only";

// Purging a connection's data at Basiq (admin only): irreversible, so every step is checked on the server and
// every outcome — including refusals — is audited. One Basiq call per purge however many submissions arrive:
// the first takes the connection's "in-progress" row (a partial unique index), the others wait for its outcome.
// Within 2 minutes a repeat gets the same outcome, except after a refusal by Basiq, which may be tried again.
import { and, desc, eq, sql } from "drizzle-orm";

import { recordAudit } from "@/lib/audit";
import { confirmOwnPassword } from "@/lib/auth/reauth";
import { requirePermission, type CurrentStaff } from "@/lib/auth/session";
import { basiq } from "@/lib/basiq";
import { BasiqOutcomeUnknownError, isBasiqError, isBasiqNotFound } from "@/lib/basiq/errors";
import { getDb, type Database } from "@/lib/db";
import { holdInstanceLiveness, instanceId, isInstanceAlive } from "@/lib/db/instance";
import { auditEvents, purgeOperations, staff } from "@/lib/db/schema";
import { NotFoundError, UserFacingError } from "@/lib/errors";
import { log } from "@/lib/log";
import { isSameOriginRequest } from "@/lib/security/origin";

import { purgedState } from "@/lib/purge/purged-state";

import { RECENT_SIGN_IN_MS } from "./purge-policy";
import { textLockKeys, xactLock } from "@/lib/db/advisory-locks";

export { RECENT_SIGN_IN_MS };
const REPEAT_WINDOW_MS = 2 * 60_000; // a repeat within this window gets the same outcome, not a second call
const WAIT_FOR_OTHER_MS = 45_000;
export const INTERRUPTED_MESSAGE = "Outcome unknown — check the connection: the purge was interrupted (the server stopped while Basiq was being asked).";

/** Purges this process is running right now (their rows are in progress and must not be recovered). */
const running = new Set<number>();

/**
 * A purge left "in-progress" by a process that no longer runs it (killed mid-call, crashed) becomes "unknown", with
 * a `purge.unknown` audit row in the same transaction. The conditional update makes it happen once however many
 * instances or requests find the row together. Called at start-up (all connections) and before any purge of a
 * connection (that connection). Returns the recovered operations.
 */
export async function recoverInterruptedPurges(db: Database, filter: { connectionId?: string } = {}): Promise<Operation[]> {
  const open = await db
    .select()
    .from(purgeOperations)
    .where(and(eq(purgeOperations.status, "in-progress"), filter.connectionId ? eq(purgeOperations.connectionId, filter.connectionId) : undefined));
  const recovered: Operation[] = [];
  for (const op of open) {
    if (await isRunning(db, op)) continue;
    const done = await db.transaction(async (tx) => {
      const [row] = await tx
        .update(purgeOperations)
        .set({ status: "unknown", message: INTERRUPTED_MESSAGE, finishedAt: new Date() })
        .where(and(eq(purgeOperations.id, op.id), eq(purgeOperations.status, "in-progress")))
        .returning();
      if (!row) return null;
      const [who] = await tx.select({ email: staff.email, role: staff.role }).from(staff).where(eq(staff.id, row.requestedBy)).limit(1);
      await tx.insert(auditEvents).values({
        actorId: row.requestedBy,
        actorEmail: who?.email ?? null,
        actorRole: who?.role ?? null,
        action: "purge.unknown",
        outcome: "unknown",
        targetUserId: row.userId,
        targetConnectionId: row.connectionId,
        details: { operationId: row.id, reason: "interrupted", startedAt: row.startedAt.toISOString() },
      });
      return row;
    });
    if (done) {
      log.error({ userId: done.userId, connectionId: done.connectionId, operationId: done.id }, "interrupted purge recorded as outcome unknown");
      recovered.push(done);
    }
  }
  return recovered;
}

/** Whether the purge of this row is still being run by a live process (this one, or another live instance). */
async function isRunning(db: Database, op: Operation): Promise<boolean> {
  if (op.instanceId === instanceId()) return running.has(op.id);
  return isInstanceAlive(db, op.instanceId);
}

export type PurgeOutcome =
  | { status: "succeeded"; correlationId: null; operationId: number }
  | { status: "failed"; correlationId: string | null; operationId: number; message: string }
  | { status: "unknown"; correlationId: string | null; operationId: number; message: string };

type Operation = typeof purgeOperations.$inferSelect;

function outcomeOf(op: Operation): PurgeOutcome {
  if (op.status === "succeeded") return { status: "succeeded", correlationId: null, operationId: op.id };
  if (op.status === "unknown") {
    return { status: "unknown", correlationId: op.correlationId, operationId: op.id, message: op.message ?? "Outcome unknown — check the connection before retrying." };
  }
  return { status: "failed", correlationId: op.correlationId, operationId: op.id, message: op.message ?? "Basiq refused the purge." };
}

const actorOf = (c: CurrentStaff) => ({ id: c.id, email: c.email, role: c.role });

async function refuse(caller: CurrentStaff, userId: string, connectionId: string, reason: string, message: string): Promise<never> {
  await recordAudit({ actor: actorOf(caller), action: "purge.refused", outcome: "denied", userId, connectionId, details: { reason } });
  throw new UserFacingError(message);
}

/** Who is asking and from where: same origin, and a sign-in (or password) within the last 15 minutes. */
async function checkRequester(caller: CurrentStaff, userId: string, connectionId: string, password: string | undefined) {
  if (!(await isSameOriginRequest())) {
    await refuse(caller, userId, connectionId, "origin", "This request did not come from the console itself. Reload the page and try again.");
  }
  if (Date.now() - caller.signedInAt > RECENT_SIGN_IN_MS) {
    // Counts toward the account's sign-in limit, reserved before the hash is checked (lib/auth/reauth.ts).
    const check = await confirmOwnPassword(caller, password);
    if (check === "throttled") {
      await refuse(caller, userId, connectionId, "throttled", "Too many failed attempts. Wait 15 minutes and try again.");
    }
    if (check !== "ok") {
      await refuse(caller, userId, connectionId, "stale-sign-in", "Purging needs a sign-in within the last 15 minutes: enter your password to confirm it is you.");
    }
  }
}

/** What is purged: the connection must belong to the user in the request and be active. */
async function checkConnection(caller: CurrentStaff, userId: string, connectionId: string) {
  // The connection must belong to the user in the request (Basiq answers 404 otherwise) and be active.
  try {
    const connection = await basiq().getConnection(userId, connectionId, { userId, connectionId });
    if (connection.status !== "active") {
      await refuse(caller, userId, connectionId, "not-active", `Only active connections can be purged (this one is ${connection.status ?? "not active"}).`);
    }
  } catch (e) {
    if (isBasiqNotFound(e, { invalidIdToo: true })) {
      await recordAudit({ actor: actorOf(caller), action: "purge.refused", outcome: "denied", userId, connectionId, details: { reason: "not-found" } });
      throw new NotFoundError("That connection of this user");
    }
    throw e;
  }
}

/** Waits for the running purge `id` (of a live process) to finish; if that process dies meanwhile, it is recovered. */
async function waitForOutcome(db: Database, id: number, connectionId: string): Promise<PurgeOutcome> {
  const deadline = Date.now() + WAIT_FOR_OTHER_MS;
  let polls = 0;
  while (Date.now() < deadline) {
    const [op] = await db.select().from(purgeOperations).where(eq(purgeOperations.id, id)).limit(1);
    if (!op) break;
    if (op.status !== "in-progress") return outcomeOf(op);
    // Every second: is its process still alive? A dead one's purge becomes "unknown" at once (audited).
    if (++polls % 7 === 0) await recoverInterruptedPurges(db, { connectionId });
    await new Promise((r) => setTimeout(r, 150));
  }
  throw new UserFacingError("Another purge of this connection is still running. Check the connection before trying again.");
}

export async function purgeConnection(
  caller: CurrentStaff,
  input: { userId: string; connectionId: string; password?: string },
): Promise<PurgeOutcome> {
  const { userId, connectionId } = input;
  const db = await getDb();
  await checkRequester(caller, userId, connectionId, input.password);

  await checkConnection(caller, userId, connectionId);
  // Already purged and no data since (a repeat within the window below still gets that purge's outcome).
  const purged = await purgedState(db, connectionId);
  if (purged && Date.now() - Date.parse(purged.at) >= REPEAT_WINDOW_MS) {
    await refuse(caller, userId, connectionId, "already-purged", "This connection's data was already purged, and no refresh has brought data back since.");
  }

  // A purge of this connection left in progress by a dead process is recorded as "unknown" first (audited): this
  // request then gets that outcome below, never a silent second call.
  await holdInstanceLiveness(db);
  await recoverInterruptedPurges(db, { connectionId });

  // Under a per-connection lock: a purge that is running or just finished is joined, never repeated. The lock is
  // held only for this check-and-insert, not for the Basiq call.
  const recent = new Date(Date.now() - REPEAT_WINDOW_MS);
  const claim = await db.transaction(async (tx) => {
    await tx.execute(xactLock(textLockKeys.purge(connectionId)));
    // One that is running (in a live process: dead ones were recovered above) is joined, whatever its age.
    const [runningOp] = await tx
      .select()
      .from(purgeOperations)
      .where(and(eq(purgeOperations.connectionId, connectionId), eq(purgeOperations.status, "in-progress")))
      .limit(1);
    if (runningOp) return { mine: null, last: runningOp };
    // One that finished (or was found interrupted) within the window: its outcome, no second call.
    const [last] = await tx
      .select()
      .from(purgeOperations)
      .where(
        and(
          eq(purgeOperations.connectionId, connectionId),
          eq(purgeOperations.userId, userId),
          sql`coalesce(${purgeOperations.finishedAt}, ${purgeOperations.startedAt}) >= ${recent.toISOString()}`,
        ),
      )
      .orderBy(desc(purgeOperations.id))
      .limit(1);
    // A refusal from Basiq (status "failed") changed nothing there: it does not stop a new attempt.
    if (last && last.status !== "failed") return { mine: null, last };
    const [mine] = await tx
      .insert(purgeOperations)
      .values({ userId, connectionId, requestedBy: caller.id, status: "in-progress", instanceId: instanceId() })
      .returning();
    running.add(mine!.id);
    return { mine: mine!, last: null };
  });
  if (claim.last && claim.last.status !== "in-progress") return outcomeOf(claim.last);
  if (!claim.mine) return waitForOutcome(db, claim.last!.id, connectionId);
  const op = claim.mine;
  try {
    return await runPurge(db, caller, op);
  } finally {
    running.delete(op.id);
  }
}

async function runPurge(db: Database, caller: CurrentStaff, op: Operation): Promise<PurgeOutcome> {
  const { userId, connectionId } = op;

  await recordAudit({ actor: actorOf(caller), action: "purge.requested", outcome: "requested", userId, connectionId, details: { operationId: op.id } });
  let finished: Partial<Operation> & { status: string };
  try {
    await basiq().purgeConnection(userId, connectionId, { userId, connectionId });
    finished = { status: "succeeded", basiqStatus: 204 };
  } catch (e) {
    const correlationId = isBasiqError(e) ? (e.correlationId ?? null) : null;
    if (e instanceof BasiqOutcomeUnknownError || !isBasiqError(e) || e.status === undefined) {
      finished = { status: "unknown", correlationId, message: "No answer from Basiq: the outcome is unknown — check the connection before retrying." };
    } else {
      finished = { status: "failed", basiqStatus: e.status, correlationId, message: `Basiq refused the purge (HTTP ${e.status}${e.code ? `, ${e.code}` : ""}).` };
    }
    log.error({ userId, connectionId, correlationId, status: isBasiqError(e) ? e.status : undefined }, "purge failed");
  }
  const [done] = await db
    .update(purgeOperations)
    .set({ ...finished, finishedAt: new Date() })
    .where(eq(purgeOperations.id, op.id))
    .returning();
  const outcome = outcomeOf(done!);
  await recordAudit({
    actor: actorOf(caller),
    action: `purge.${outcome.status}`,
    outcome: outcome.status === "succeeded" ? "success" : outcome.status === "unknown" ? "unknown" : "failure",
    userId,
    connectionId,
    correlationId: outcome.correlationId,
    details: { operationId: op.id, basiqStatus: done!.basiqStatus },
  });
  return outcome;
}

/**
 * Admin, connection page: the last purge of this connection when its outcome is unknown (a network error, or an
 * interrupted purge — including one whose process has died and is not yet recorded), so the page says so at once.
 * Read-only: nothing is written by viewing the page.
 */
export async function unknownPurgeOutcome(userId: string, connectionId: string): Promise<{ message: string; at: string } | null> {
  await requirePermission("connections.purge");
  const db = await getDb();
  const [op] = await db
    .select()
    .from(purgeOperations)
    .where(and(eq(purgeOperations.connectionId, connectionId), eq(purgeOperations.userId, userId)))
    .orderBy(desc(purgeOperations.id))
    .limit(1);
  if (!op) return null;
  if (op.status === "unknown") return { message: op.message ?? INTERRUPTED_MESSAGE, at: (op.finishedAt ?? op.startedAt).toISOString() };
  if (op.status === "in-progress" && !(await isRunning(db, op))) return { message: INTERRUPTED_MESSAGE, at: op.startedAt.toISOString() };
  return null;
}
