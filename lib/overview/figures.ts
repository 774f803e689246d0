import "server-only";

// The overview's figures, each computed by the very query of the list it opens, over the same window, so the
// number on the overview is the count on that list: "invalid 58" opens "58 users match". A figure is given a link
// only when the list's URL filter can express it (and the page decides whether the role may open that list).
import { count, sql } from "drizzle-orm";

import { errorLogWhere, type ErrorLogFilters } from "@/lib/dal/jobs";
import { rowsOf, type Database } from "@/lib/db";
import { basiqUsers, jobRuns } from "@/lib/db/schema";
import { searchDirectory } from "@/lib/directory/search";
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

/** Users with at least one connection in each status: the users list's `status` filter, counted by its own query. */
export async function usersByConnectionStatus(db: Database): Promise<Figure[]> {
  const statuses = rowsOf<{ status: string }>(
    await db.execute(sql`select distinct unnest(${basiqUsers.connectionStatuses}) as status from ${basiqUsers} where ${basiqUsers.deletedAt} is null`),
  ).map((r) => r.status);
  const figures = await Promise.all(
    statuses.map(async (status) => {
      const filterable = usersSearchSchema.shape.status.safeParse(status).data === status;
      const { total, totalIsCapped } = await searchDirectory(db, { status, pageSize: 1 });
      return { key: status, label: status, count: total, capped: totalIsCapped, href: filterable ? listHref("/users", {}, { status }) : null };
    }),
  );
  return figures.sort((a, b) => b.count - a.count || a.key.localeCompare(b.key));
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

/** Users in the directory: the users list's unfiltered total. */
export async function usersInDirectory(db: Database): Promise<Figure> {
  const { total, totalIsCapped } = await searchDirectory(db, { pageSize: 1 });
  return { key: "users", label: "users", count: total, capped: totalIsCapped, href: "/users" };
}
