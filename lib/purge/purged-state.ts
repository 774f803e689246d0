import "server-only";

// "Data purged on … by …": the last successful purge of a connection, from its purge record, until a successful
// job after it brings data back (a refresh, or Basiq's own scheduled update). While purged, the connection page
// hides the accounts and a second purge is refused (nothing is left to delete).
import { and, desc, eq, sql } from "drizzle-orm";

import { requirePermission } from "@/lib/auth/session";
import { connectionRecords, type LastPurge } from "@/lib/dal/connection-records";
import { connectionIdSchema } from "@/lib/dal/ids";
import { getDb, type Database } from "@/lib/db";
import { jobRuns, purgeOperations, staff } from "@/lib/db/schema";

export interface PurgedState {
  at: string;
  /** The purging staff member's name (or e-mail when the account is gone: never an id). */
  by: string;
}

/** `known`: the last successful purge when the caller has read it already (lib/dal/connection-records.ts). */
export async function purgedState(db: Database, connectionId: string, known?: LastPurge | null): Promise<PurgedState | null> {
  const op = known !== undefined ? known : await lastPurge(db, connectionId);
  if (!op) return null;
  const at = op.at;
  const [after] = await db
    .select({ id: jobRuns.id })
    .from(jobRuns)
    .where(
      and(
        eq(jobRuns.connectionId, connectionId),
        eq(jobRuns.outcome, "success"),
        // An ISO string cast in SQL: postgres.js cannot bind a Date compared with a raw expression (PGlite can).
        sql`coalesce(${jobRuns.updatedAt}, ${jobRuns.createdAt}) > ${at.toISOString()}::timestamptz`,
      ),
    )
    .limit(1);
  if (after) return null;
  return { at: at.toISOString(), by: op.byName || op.byEmail || "a staff member" };
}

async function lastPurge(db: Database, connectionId: string): Promise<LastPurge | null> {
  const [op] = await db
    .select({ finishedAt: purgeOperations.finishedAt, startedAt: purgeOperations.startedAt, name: staff.name, email: staff.email })
    .from(purgeOperations)
    .leftJoin(staff, eq(staff.id, purgeOperations.requestedBy))
    .where(and(eq(purgeOperations.connectionId, connectionId), eq(purgeOperations.status, "succeeded")))
    .orderBy(desc(purgeOperations.startedAt))
    .limit(1);
  return op ? { at: op.finishedAt ?? op.startedAt, byName: op.name, byEmail: op.email } : null;
}

/** For the connection page (every role that may read connections). */
export async function getPurgedState(rawConnectionId: string): Promise<PurgedState | null> {
  await requirePermission("connections.read");
  const connectionId = connectionIdSchema.safeParse(rawConnectionId);
  if (!connectionId.success) return null;
  // The page's one read of this connection's records (shared with its refresh budget).
  const { lastPurge: known } = await connectionRecords(connectionId.data);
  return purgedState(await getDb(), connectionId.data, known);
}
