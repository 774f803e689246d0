// Every PostgreSQL advisory lock the console takes, named in one place. Background work needs none of its own:
// the job engine (pg-boss, lib/queue) gives one active job per singleton queue and hands a dead worker's job to
// another instance. What is left guards writes made from requests and start-up:
// - `migration`: session lock of `lib/db/migrate.ts`, so instances starting together migrate one at a time;
// - `livenessClass`: first key of each process's liveness lock (`lib/db/instance.ts`; second key hashtext(id));
// - `connectorRefresh`: transaction lock of `storeConnectors`, so one status change is recorded once;
// - transaction locks keyed by text (hashtext): one purge / one refresh reservation per connection at a time,
//   and the active-admins check of staff changes.
import { sql, type SQL } from "drizzle-orm";

export const ADVISORY_LOCKS = {
  migration: 4_812_001,
  connectorRefresh: 4_812_003,
  livenessClass: 4_812_014,
} as const;

export const textLockKeys = {
  purge: (connectionId: string) => `purge:${connectionId}`,
  refresh: (connectionId: string) => `refresh:${connectionId}`,
  activeAdmins: "staff:active-admins",
} as const;

/** `select pg_advisory_xact_lock(...)` for a numbered lock or a text key. */
export function xactLock(key: number | string): SQL {
  return typeof key === "number" ? sql`select pg_advisory_xact_lock(${key})` : sql`select pg_advisory_xact_lock(hashtext(${key}))`;
}
