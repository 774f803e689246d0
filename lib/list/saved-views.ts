// Saved views (issue 18 item 10): which lists have them, the permission each list needs, and the canonical query
// string a view keeps — parsed by the list's own parsers, so a view can only hold filters the list understands
// (never a page or a cursor), whatever the browser sent.
import type { Permission } from "@/lib/auth/policy";
import { listHref, parseAuditSearch, parseErrorLogSearch, parseUsersSearch } from "@/lib/search-params";

export const SAVED_VIEW_LISTS = ["users", "jobs", "audit"] as const;
export type SavedViewList = (typeof SAVED_VIEW_LISTS)[number];

export const SAVED_VIEW_LIST: Record<SavedViewList, { path: string; permission: Permission }> = {
  users: { path: "/users", permission: "users.read" },
  jobs: { path: "/jobs", permission: "jobs.read" },
  audit: { path: "/audit", permission: "audit.read" },
};

/** At most this many saved views per person and list. */
export const SAVED_VIEWS_PER_LIST = 20;

/** "?q=…&status=…" of a view: only the list's own filters and sort, defaults dropped, page and cursor never kept. */
export function canonicalViewQuery(list: SavedViewList, query: string): string {
  const params = new URLSearchParams(query.startsWith("?") ? query.slice(1) : query);
  const parsed: Record<string, string | number | undefined> =
    list === "users" ? { ...parseUsersSearch(params), page: undefined, pageSize: undefined } : list === "jobs" ? { ...parseErrorLogSearch(params), before: undefined, after: undefined } : { ...parseAuditSearch(params), before: undefined, after: undefined };
  const href = listHref("", parsed, {});
  return href.startsWith("?") ? href : "";
}
