import "server-only";

// Per-person counters in fixed windows (SECURITY.md "masking is only as strong as the search beside it"): exact
// e-mail/mobile lookups per minute, reveals of a masked value per day. Counting is one statement that increments
// the (subject, bucket, window) row and returns the new count, so a burst of simultaneous requests cannot all see
// "under the limit": at most `limit` of them are ever allowed per window, on PGlite and across instances on
// PostgreSQL. A refused attempt is counted too (the count keeps rising past the limit; only `count <= limit` is
// allowed).
import { lt, sql } from "drizzle-orm";

import { rowsOf, type Database } from "@/lib/db";
import { securityQuotas } from "@/lib/db/schema";

export interface QuotaRule {
  /** e.g. "users.exact-lookup", "pii.reveal" */
  bucket: string;
  limit: number;
  windowMs: number;
}

export interface QuotaVerdict {
  allowed: boolean;
  /** Attempts counted in this window, this one included. */
  count: number;
  limit: number;
  /** When the window ends and the count starts again. */
  resetsAt: Date;
}

export const EXACT_LOOKUPS_PER_MINUTE: QuotaRule = { bucket: "users.exact-lookup", limit: 30, windowMs: 60_000 };
export const REVEALS_PER_DAY: QuotaRule = { bucket: "pii.reveal", limit: 50, windowMs: 24 * 60 * 60_000 };

/** Windows are aligned to the epoch (a day window is a UTC day). */
export function windowStartOf(now: Date, windowMs: number): Date {
  return new Date(Math.floor(now.getTime() / windowMs) * windowMs);
}

/** Counts one attempt of `subject` (a staff id) under `rule` and says whether it is within the limit. */
export async function consumeQuota(db: Database, subject: string, rule: QuotaRule, now = new Date()): Promise<QuotaVerdict> {
  const windowStart = windowStartOf(now, rule.windowMs);
  const result = await db.execute<{ count: number }>(sql`
    insert into ${securityQuotas} (subject, bucket, window_start, count)
    values (${subject}, ${rule.bucket}, ${windowStart.toISOString()}, 1)
    on conflict (subject, bucket, window_start) do update set count = ${securityQuotas}.count + 1
    returning count`);
  const count = Number(rowsOf<{ count: number }>(result)[0]?.count ?? Number.MAX_SAFE_INTEGER);
  // Old windows are of no use: drop them now and then (one request in fifty).
  if (count === 1 && Math.random() < 0.02) {
    await db.delete(securityQuotas).where(lt(securityQuotas.windowStart, new Date(now.getTime() - 2 * 24 * 60 * 60_000)));
  }
  return { allowed: count <= rule.limit, count, limit: rule.limit, resetsAt: new Date(windowStart.getTime() + rule.windowMs) };
}
