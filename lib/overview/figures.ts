import "server-only";

// The overview's figures, each computed by the very query of the list it opens, over the same window, so the
// number on the overview is the count on that list: "invalid 58" opens "58 users match". A figure is given a link
// only when the list's URL filter can express it (and the page decides whether the role may open that list).
import { count, sql } from "drizzle-orm";

import { errorLogWhere, type ErrorLogFilters } from "@/lib/dal/jobs";
import { rowsOf, type Database } from "@/lib/db";
import { basiqUsers, jobRuns } from "@/lib/db/schema";
import { COUNT_CAP } from "@/lib/directory/search";
import { listHref, usersSearchSchema } from "@/lib/search-params";

export interface Figure {
  key: string;
  label: string;
  count: number;
  /** The list shows "10,000+": so does the figure. */
  capped?: boolean;
  /** The list this figure is the count of; null when no list filter expresses it. */
  href: string | null;
}

/** The failed-jobs window: the error log's `from` date (UTC midnight) of yesterday, so today and yesterday. */
export function failureWindow(now = new Date()): Required<Pick<ErrorLogFilters, "from">> {
  const yesterday = new Date(now.getTime() - 24 * 3600_000);
  return { from: yesterday.toISOString().slice(0, 10) };
}

export interface DirectoryFigures {
  /** Users in the directory (not deleted), uncounted by any cap. */
  users: number;
  /** The newest directory sync of any user (ISO), or null. */
  lastSyncedAt: string | null;
  /** The users list's unfiltered total, as the list shows it ("10,000+" beyond COUNT_CAP). */
  usersFigure: Figure;
  /** Users with at least one connection in each status: the users list's `status` filter total, as it shows it. */
  usersByStatus: Figure[];
}

/** A count as the users list shows it: exact up to COUNT_CAP, "10,000+" beyond (searchDirectory's rule). */
function asListTotal(n: number): Pick<Figure, "count" | "capped"> {
  return { count: Math.min(n, COUNT_CAP), capped: n > COUNT_CAP };
}

/**
 * Every directory figure of the overview in one statement (one pass over the live users): the total and newest
 * sync, and per connection status the users having it — the users list's own conditions (not deleted; its status
 * filter `connection_statuses @> array[status]`, i.e. the status is one of the user's), so each figure is the total
 * that list shows when opened (figures.test.ts compares them with searchDirectory). Counting once here instead of
 * one capped count per status through searchDirectory (two statements each, issue 15).
 */
export async function directoryFigures(db: Database): Promise<DirectoryFigures> {
  const rows = rowsOf<{ status: string | null; users: number | string; last_synced_at: string | Date | null }>(
    await db.execute(sql`
      with live as (
        select ${basiqUsers.connectionStatuses} as statuses, ${basiqUsers.lastSyncedAt} as synced
        from ${basiqUsers} where ${basiqUsers.deletedAt} is null
      )
      select null::text as status, count(*) as users, max(synced) as last_synced_at from live
      union all
      select status, count(*), null from live cross join lateral (select distinct unnest(live.statuses) as status) s
      where status is not null group by status`),
  );
  const total = rows.find((r) => r.status === null);
  const users = Number(total?.users ?? 0);
  const lastSyncedAt = total?.last_synced_at ? new Date(total.last_synced_at).toISOString() : null;
  const usersByStatus = rows
    .filter((r): r is typeof r & { status: string } => r.status !== null)
    .map(({ status: key, users: n }) => {
      const filterable = usersSearchSchema.shape.status.safeParse(key).data === key;
      return { key, label: key, ...asListTotal(Number(n)), href: filterable ? listHref("/users", {}, { status: key }) : null };
    })
    .sort((a, b) => b.count - a.count || a.key.localeCompare(b.key));
  return { users, lastSyncedAt, usersFigure: { key: "users", label: "users", ...asListTotal(users), href: "/users" }, usersByStatus };
}

/** Failed jobs per code in the window: the error log's own filter (code + from), so the figure is its total. */
export async function failedJobsByCode(db: Database, window = failureWindow()): Promise<Figure[]> {
  const rows = await db
    .select({ code: jobRuns.errorCode, jobs: count() })
    .from(jobRuns)
    .where(errorLogWhere(window))
    .groupBy(jobRuns.errorCode);
  return rows
    .map((r) => ({
      key: r.code ?? "unknown",
      label: r.code ?? "no code",
      count: Number(r.jobs),
      // A job without a code cannot be filtered for in the error log: a plain number.
      href: r.code ? listHref("/jobs", {}, { code: r.code, from: window.from }) : null,
    }))
    .sort((a, b) => b.count - a.count || a.key.localeCompare(b.key));
}
