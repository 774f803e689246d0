// zod parsers for list pages' URL parameters: never trust raw params, fall back to defaults on garbage.
import { z } from "zod";

export type RawSearchParams = Record<string, string | string[] | undefined>;

export function first(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

export const cursorParam = z.coerce.number().int().positive().max(Number.MAX_SAFE_INTEGER).optional().catch(undefined);

export const connectionStatusFilters = ["active", "pending", "invalid", "pre-init"] as const;

export const usersSearchSchema = z.object({
  q: z.string().trim().max(200).catch(""),
  status: z.enum(connectionStatusFilters).optional().catch(undefined),
  institution: z
    .string()
    .regex(/^[A-Za-z0-9_-]{1,32}$/)
    .optional()
    .catch(undefined),
  sort: z.enum(["recent", "id", "connections", "status"]).catch("recent"),
  page: z.coerce.number().int().min(1).max(100_000).catch(1),
  pageSize: z.coerce
    .number()
    .int()
    .refine((n) => [25, 50, 100].includes(n))
    .catch(25),
});
export type UsersSearch = z.infer<typeof usersSearchSchema>;

export function parseUsersSearch(params: RawSearchParams): UsersSearch {
  return usersSearchSchema.parse({
    q: first(params.q) ?? "",
    status: first(params.status),
    institution: first(params.institution),
    sort: first(params.sort),
    page: first(params.page),
    pageSize: first(params.pageSize),
  });
}

/** A URL for a list page with some parameters changed; defaults are left out to keep links short. */
export function listHref(pathname: string, current: Record<string, string | number | undefined>, changes: Record<string, string | number | undefined>): string {
  const merged = { ...current, ...changes };
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(merged)) {
    if (value === undefined || value === "" || (key === "page" && value === 1) || (key === "sort" && value === "recent") || (key === "pageSize" && value === 25)) continue;
    params.set(key, String(value));
  }
  const qs = params.toString();
  return qs ? `${pathname}?${qs}` : pathname;
}
