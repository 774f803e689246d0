import "server-only";

// Purging a connection's data at Basiq (admin only): irreversible, so every step is checked on the server and
// every outcome — including refusals — is audited. One Basiq call per purge however many submissions arrive:
// the first takes the connection's "in-progress" row (a partial unique index), the others wait for its outcome.
// Within 2 minutes a repeat gets the same outcome, except after a refusal by Basiq, which may be tried again.
import { and, desc, eq, gte, sql } from "drizzle-orm";

import { recordAudit } from "@/lib/audit";
import { confirmOwnPassword } from "@/lib/auth/reauth";
import type { CurrentStaff } from "@/lib/auth/session";
import { basiq } from "@/lib/basiq";
import { BasiqOutcomeUnknownError, isBasiqError, isBasiqNotFound } from "@/lib/basiq/errors";
import { getDb } from "@/lib/db";
import { purgeOperations } from "@/lib/db/schema";
import { NotFoundError, UserFacingError } from "@/lib/errors";
import { log } from "@/lib/log";
import { isSameOriginRequest } from "@/lib/security/origin";

import { RECENT_SIGN_IN_MS } from "./purge-policy";

export { RECENT_SIGN_IN_MS };
const REPEAT_WINDOW_MS = 2 * 60_000; // a repeat within this window gets the same outcome, not a second call
const WAIT_FOR_OTHER_MS = 45_000;

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

async function waitForOutcome(connectionId: string, since: Date): Promise<PurgeOutcome> {
  const db = await getDb();
  const deadline = Date.now() + WAIT_FOR_OTHER_MS;
  while (Date.now() < deadline) {
    const [op] = await db
      .select()
      .from(purgeOperations)
      .where(and(eq(purgeOperations.connectionId, connectionId), gte(purgeOperations.startedAt, since)))
      .orderBy(desc(purgeOperations.id))
      .limit(1);
    if (op && op.status !== "in-progress") return outcomeOf(op);
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

  // Under a per-connection lock: a purge that is running or just finished is joined, never repeated. The lock is
  // held only for this check-and-insert, not for the Basiq call.
  const recent = new Date(Date.now() - REPEAT_WINDOW_MS);
  const claim = await db.transaction(async (tx) => {
    await tx.execute(sql`select pg_advisory_xact_lock(hashtext(${`purge:${connectionId}`}))`);
    const [last] = await tx
      .select()
      .from(purgeOperations)
      .where(and(eq(purgeOperations.connectionId, connectionId), eq(purgeOperations.userId, userId), gte(purgeOperations.startedAt, recent)))
      .orderBy(desc(purgeOperations.id))
      .limit(1);
    // A refusal from Basiq (status "failed") changed nothing there: it does not stop a new attempt.
    if (last && last.status !== "failed") return { mine: null, last };
    // A purge left "in-progress" by a crashed process long ago: its outcome is unknown; it must not block this one.
    await tx
      .update(purgeOperations)
      .set({ status: "unknown", message: "Interrupted: the outcome is unknown — check the connection before retrying.", finishedAt: new Date() })
      .where(and(eq(purgeOperations.connectionId, connectionId), eq(purgeOperations.status, "in-progress")));
    const [mine] = await tx.insert(purgeOperations).values({ userId, connectionId, requestedBy: caller.id, status: "in-progress" }).returning();
    return { mine: mine!, last: null };
  });
  if (claim.last && claim.last.status !== "in-progress") return outcomeOf(claim.last);
  if (!claim.mine) return waitForOutcome(connectionId, recent);
  const op = claim.mine;

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
