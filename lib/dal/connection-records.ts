import "server-only";

// The connection page's reads of our own records about one connection, in one statement once per request
// (issue 15): the refreshes of the last 24 h that spend its budget (refresh_log, for lib/dal/refresh.ts) and its
// last successful purge (purge_operations, for lib/purge/purged-state.ts). Internal: each public function that
// uses it checks its own permission first.
import { and, desc, eq, gte, inArray, sql } from "drizzle-orm";
import { cache } from "react";

import { getDb, rowsOf } from "@/lib/db";
import { purgeOperations, refreshLog, staff } from "@/lib/db/schema";

export const REFRESH_WINDOW_MS = 24 * 3600_000;
/** Refresh outcomes that spend the budget: started, about to start, or maybe started. */
export const SPENT_OUTCOMES = ["pending", "started", "unknown"];

export interface LastPurge {
  /** When it finished (or started, when no finish was recorded). */
  at: Date;
  byName: string | null;
  byEmail: string | null;
}

export interface ConnectionRecords {
  /** Budget-spending refreshes of the last 24 h, oldest first. */
  refreshes: Date[];
  lastPurge: LastPurge | null;
}

export const connectionRecords = cache(async (connectionId: string): Promise<ConnectionRecords> => {
  const db = await getDb();
  const since = new Date(Date.now() - REFRESH_WINDOW_MS).toISOString();
  const rows = rowsOf<{ kind: "refresh" | "purge"; at: string | Date; by_name: string | null; by_email: string | null }>(
    await db.execute(sql`
      select 'refresh' as kind, ${refreshLog.requestedAt} as at, null::text as by_name, null::text as by_email
      from ${refreshLog}
      where ${and(eq(refreshLog.connectionId, connectionId), gte(refreshLog.requestedAt, sql`${since}::timestamptz`), inArray(refreshLog.outcome, SPENT_OUTCOMES))}
      union all
      (select 'purge', coalesce(${purgeOperations.finishedAt}, ${purgeOperations.startedAt}), ${staff.name}, ${staff.email}
       from ${purgeOperations} left join ${staff} on ${eq(staff.id, purgeOperations.requestedBy)}
       where ${and(eq(purgeOperations.connectionId, connectionId), eq(purgeOperations.status, "succeeded"))}
       order by ${desc(purgeOperations.startedAt)} limit 1)`),
  );
  const refreshes = rows
    .filter((r) => r.kind === "refresh")
    .map((r) => new Date(r.at))
    .sort((a, b) => a.getTime() - b.getTime());
  const purge = rows.find((r) => r.kind === "purge");
  return { refreshes, lastPurge: purge ? { at: new Date(purge.at), byName: purge.by_name, byEmail: purge.by_email } : null };
});
