// zod parsers for list pages' URL parameters: never trust raw params, fall back to defaults on garbage.
import { z } from "zod";
import {
  CONNECTION_STATUSES,
  CONNECTOR_METHODS,
  CONNECTOR_STAGES,
  CONNECTOR_STATUSES,
  JOB_STEP_TITLES,
} from "@/lib/vocabulary";

export type RawSearchParams = Record<string, string | string[] | undefined>;

export function first(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

export const cursorParam = z.coerce.number().int().positive().max(Number.MAX_SAFE_INTEGER).optional().catch(undefined);

export const connectionStatusFilters = CONNECTION_STATUSES;

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

const isoDate = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/)
  .refine((v) => !Number.isNaN(Date.parse(`${v}T00:00:00Z`)));

export const errorLogSearchSchema = z.object({
  code: z.string().regex(/^[a-z0-9-]{1,64}$/).optional().catch(undefined),
  step: z.enum(JOB_STEP_TITLES).optional().catch(undefined),
  institution: z.string().regex(/^[A-Za-z0-9_-]{1,32}$/).optional().catch(undefined),
  userId: z.string().regex(/^[A-Za-z0-9_-]{1,64}$/).optional().catch(undefined),
  from: isoDate.optional().catch(undefined),
  to: isoDate.optional().catch(undefined),
  before: z.string().max(120).regex(/^[0-9TZ:.+-]+\|[A-Za-z0-9_-]{1,64}$/).optional().catch(undefined),
});
export type ErrorLogSearch = z.infer<typeof errorLogSearchSchema>;

export function parseErrorLogSearch(params: RawSearchParams | URLSearchParams): ErrorLogSearch {
  const get = (k: string) => (params instanceof URLSearchParams ? (params.get(k) ?? undefined) : first(params[k]));
  return errorLogSearchSchema.parse({
    code: get("code"),
    step: get("step"),
    institution: get("institution"),
    userId: get("userId"),
    from: get("from"),
    to: get("to"),
    before: get("before"),
  });
}

/**
 * Filters present in a URL whose value the lenient parsers above threw away. Pages may ignore a bad filter; an
 * export must not (a garbled `userId=` would otherwise export everything), so export routes answer 400 with these.
 */
export function rejectedFilters(params: URLSearchParams, parsed: Record<string, unknown>, keys: readonly string[]): string[] {
  return keys.filter((k) => {
    const raw = params.get(k);
    return raw !== null && raw.trim() !== "" && parsed[k] === undefined;
  });
}

export const connectorsSearchSchema = z.object({
  q: z.string().trim().max(100).catch(""),
  status: z.enum(CONNECTOR_STATUSES).optional().catch(undefined),
  stage: z.enum(CONNECTOR_STAGES).optional().catch(undefined),
  method: z.enum(CONNECTOR_METHODS).optional().catch(undefined),
  sort: z.enum(["attention", "name", "failures", "tier"]).catch("attention"),
});
export type ConnectorsSearch = z.infer<typeof connectorsSearchSchema>;

export function parseConnectorsSearch(params: RawSearchParams): ConnectorsSearch {
  return connectorsSearchSchema.parse({
    q: first(params.q) ?? "",
    status: first(params.status),
    stage: first(params.stage),
    method: first(params.method),
    sort: first(params.sort),
  });
}

export const auditOutcomes = ["success", "failure", "denied", "requested", "unknown"] as const;
export type AuditOutcomeFilter = (typeof auditOutcomes)[number];

// Exact-match filters of the audit log. Ids use the same character set as lib/dal/ids.ts; the actor is an e-mail
// as stored (lower-case).
const auditId = z.string().trim().regex(/^[A-Za-z0-9_-]{1,64}$/);

export const auditSearchSchema = z.object({
  actor: z.string().trim().toLowerCase().max(254).email().optional().catch(undefined),
  action: z.string().trim().regex(/^[A-Za-z0-9_.:-]{1,64}$/).optional().catch(undefined),
  outcome: z.enum(auditOutcomes).optional().catch(undefined),
  userId: auditId.optional().catch(undefined),
  connectionId: auditId.optional().catch(undefined),
  jobId: auditId.optional().catch(undefined),
  from: isoDate.optional().catch(undefined),
  to: isoDate.optional().catch(undefined),
  before: cursorParam,
});
export type AuditSearch = z.infer<typeof auditSearchSchema>;

export function parseAuditSearch(params: RawSearchParams | URLSearchParams): AuditSearch {
  const get = (k: string) => (params instanceof URLSearchParams ? (params.get(k) ?? undefined) : first(params[k]));
  return auditSearchSchema.parse({
    actor: get("actor"),
    action: get("action"),
    outcome: get("outcome"),
    userId: get("userId"),
    connectionId: get("connectionId"),
    jobId: get("jobId"),
    from: get("from"),
    to: get("to"),
    before: get("before"),
  });
}
