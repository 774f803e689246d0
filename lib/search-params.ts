import "@/lib/zod-config";
// The list pages' URL state, typed with nuqs (issue 18 item 10): one map of parsers per list, read on the server by
// a nuqs loader (the page, its CSV export) and written in the browser by useListState (components/list). Each
// parser validates with zod: garbage in the URL reads as "no filter" (a page) or is reported (an export).
import { createLoader, createParser, createSerializer, type ParserMap } from "nuqs/server";
import { z } from "zod";

import { DATE_PRESETS } from "@/lib/list/dates";
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
  /** "reverse": the sort's own order turned around (clicking the sorted column again). */
  dir: z.enum(["reverse"]).optional().catch(undefined),
  page: z.coerce.number().int().min(1).max(100_000).catch(1),
  pageSize: z.coerce
    .number()
    .int()
    .refine((n) => [25, 50, 100].includes(n))
    .catch(25),
});
export type UsersSearch = z.infer<typeof usersSearchSchema>;

export function parseUsersSearch(params: RawSearchParams | URLSearchParams): UsersSearch {
  return loadList(usersSearchSchema, params) as UsersSearch;
}

/**
 * nuqs parsers for every key of a zod object schema: a value the key's schema rejects reads as absent (null), so
 * the page shows its default, while `rejectedFilters` can still tell an export that a filter was garbage.
 */
export function parsersFor<S extends z.ZodObject>(schema: S): ParserMap {
  const map: ParserMap = {};
  for (const [key, field] of Object.entries(schema.shape) as [string, z.ZodType][]) {
    map[key] = createParser<string | number>({
      parse: (raw) => {
        const r = field.safeParse(raw);
        return r.success && r.data !== undefined && r.data !== "" ? (r.data as string | number) : null;
      },
      serialize: (v) => String(v),
    });
  }
  return map;
}

function loadList<S extends z.ZodObject>(schema: S, params: RawSearchParams | URLSearchParams): z.infer<S> {
  const loaded = createLoader(parsersFor(schema))(params instanceof URLSearchParams ? params : toUrlSearchParams(params));
  const raw: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(loaded)) if (v !== null) raw[k] = v;
  return schema.parse(raw);
}

function toUrlSearchParams(params: RawSearchParams): URLSearchParams {
  const out = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) {
    const value = first(v);
    if (value !== undefined) out.set(k, value);
  }
  return out;
}

/** Defaults left out of URLs, to keep links short. */
const DEFAULTS: Record<string, string | number> = { page: 1, sort: "recent", pageSize: 25 };

/** A URL for a list page with some parameters changed (nuqs's serializer; defaults and empty values left out). */
export function listHref(
  pathname: string,
  current: Record<string, string | number | undefined>,
  changes: Record<string, string | number | undefined>,
): string {
  const merged: Record<string, string | number | null> = {};
  for (const [key, value] of Object.entries({ ...current, ...changes })) {
    merged[key] = value === undefined || value === "" || DEFAULTS[key] === value ? null : value;
  }
  const keys = Object.fromEntries(Object.keys(merged).map((k) => [k, createParser({ parse: (v: string) => v, serialize: (v: string | number) => String(v) })]));
  return createSerializer(keys)(pathname, merged as never);
}

const isoDate = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/)
  .refine((v) => !Number.isNaN(Date.parse(`${v}T00:00:00Z`)));

/** "<createdAt ISO>|<job id>", or "none|<job id>" for a job Basiq gave no creation time. */
const jobCursorParam = z
  .string()
  .max(120)
  .regex(/^([0-9TZ:.+-]+|none)\|[A-Za-z0-9_-]{1,64}$/)
  .optional()
  .catch(undefined);

export const errorLogSearchSchema = z.object({
  code: z.string().regex(/^[a-z0-9-]{1,64}$/).optional().catch(undefined),
  step: z.enum(JOB_STEP_TITLES).optional().catch(undefined),
  institution: z.string().regex(/^[A-Za-z0-9_-]{1,32}$/).optional().catch(undefined),
  userId: z.string().regex(/^[A-Za-z0-9_-]{1,64}$/).optional().catch(undefined),
  from: isoDate.optional().catch(undefined),
  to: isoDate.optional().catch(undefined),
  range: z.enum(DATE_PRESETS).optional().catch(undefined),
  /** Keyset cursors (lib/dal/jobs.ts): rows older than `before`, or the page newer than `after` ("Previous"). */
  before: jobCursorParam,
  after: jobCursorParam,
});
export type ErrorLogSearch = z.infer<typeof errorLogSearchSchema>;

export function parseErrorLogSearch(params: RawSearchParams | URLSearchParams): ErrorLogSearch {
  return loadList(errorLogSearchSchema, params) as ErrorLogSearch;
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

export function parseConnectorsSearch(params: RawSearchParams | URLSearchParams): ConnectorsSearch {
  return loadList(connectorsSearchSchema, params) as ConnectorsSearch;
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
  range: z.enum(DATE_PRESETS).optional().catch(undefined),
  /** Keyset cursors on the event id: older than `before`, or the page newer than `after` ("Previous"). */
  before: cursorParam,
  after: cursorParam,
});
export type AuditSearch = z.infer<typeof auditSearchSchema>;

export function parseAuditSearch(params: RawSearchParams | URLSearchParams): AuditSearch {
  return loadList(auditSearchSchema, params) as AuditSearch;
}

export const staffSorts = ["name", "role", "lastSignIn"] as const;

export const staffSearchSchema = z.object({
  q: z.string().trim().max(100).catch(""),
  role: z.enum(["staff", "support", "admin"]).optional().catch(undefined),
  status: z.enum(["active", "disabled"]).optional().catch(undefined),
  sort: z.enum(staffSorts).catch("name"),
  dir: z.enum(["reverse"]).optional().catch(undefined),
});
export type StaffSearch = z.infer<typeof staffSearchSchema>;

export function parseStaffSearch(params: RawSearchParams | URLSearchParams): StaffSearch {
  return loadList(staffSearchSchema, params) as StaffSearch;
}

/** /consents: how many days ahead to look (the stored window is 7 days), whose consents, the order and the page. */
export const CONSENT_WINDOWS = [1, 3, 7] as const;

export const consentsSearchSchema = z.object({
  userId: z.string().trim().regex(/^[A-Za-z0-9_-]{1,64}$/).optional().catch(undefined),
  within: z.coerce
    .number()
    .int()
    .refine((n) => (CONSENT_WINDOWS as readonly number[]).includes(n))
    .catch(7),
  sort: z.enum(["expiry", "user"]).catch("expiry"),
  dir: z.enum(["reverse"]).optional().catch(undefined),
  page: z.coerce.number().int().min(1).max(100_000).catch(1),
});
export type ConsentsSearch = z.infer<typeof consentsSearchSchema>;

export function parseConsentsSearch(params: RawSearchParams | URLSearchParams): ConsentsSearch {
  return loadList(consentsSearchSchema, params) as ConsentsSearch;
}
