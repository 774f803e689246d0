import "server-only";

// Throttling of password and code attempts (SECURITY.md AUTH-2, issue 14 item 2). An attempt is RESERVED before
// it is evaluated, in one statement that increments the counter of its key and returns the new count
// (`insert … on conflict do update set failures = failures + 1 … returning`): the row lock of the upsert
// serialises simultaneous attempts, on PGlite and across instances on PostgreSQL, so at most `limit` attempts
// per key and 15-minute window ever reach scrypt or the TOTP comparison, however many arrive at once. A
// reservation is kept as a failure; a success clears the account's counter (and gives the IP its slot back).
import { inArray, sql } from "drizzle-orm";

import { getDb } from "@/lib/db";
import { signInThrottle } from "@/lib/db/schema";

export const THROTTLE_WINDOW_MS = 15 * 60_000;
export const MAX_FAILURES_PER_ACCOUNT = 10;
export const MAX_FAILURES_PER_IP = 50;

export interface ThrottleKey {
  key: string;
  limit: number;
}

export const accountKey = (email: string): ThrottleKey => ({ key: `account:${email}`, limit: MAX_FAILURES_PER_ACCOUNT });
export const ipKey = (ip: string): ThrottleKey => ({ key: `ip:${ip}`, limit: MAX_FAILURES_PER_IP });

/** The keys of a password attempt: the account, and the caller's IP when known. */
export function passwordKeys(email: string, ip: string | null): ThrottleKey[] {
  return [accountKey(email), ...(ip ? [ipKey(ip)] : [])];
}

/**
 * Reserves one attempt under every key, atomically (one statement). True when each key is still within its limit
 * in its current 15-minute window (a window older than that starts again at 1): the caller may evaluate the attempt.
 * False: throttled — do not evaluate it.
 */
export async function reserveAttempt(keys: ThrottleKey[], now = new Date()): Promise<boolean> {
  if (keys.length === 0) return true;
  const sorted = [...keys].sort((a, b) => a.key.localeCompare(b.key)); // one lock order: no deadlock between bursts
  const db = await getDb();
  const windowStart = new Date(now.getTime() - THROTTLE_WINDOW_MS).toISOString();
  const expired = sql`${signInThrottle.windowStartedAt} < ${windowStart}::timestamptz`;
  const rows = await db
    .insert(signInThrottle)
    .values(sorted.map((k) => ({ key: k.key, failures: 1, windowStartedAt: now })))
    .onConflictDoUpdate({
      target: signInThrottle.key,
      set: {
        failures: sql`case when ${expired} then 1 else ${signInThrottle.failures} + 1 end`,
        windowStartedAt: sql`case when ${expired} then ${now.toISOString()}::timestamptz else ${signInThrottle.windowStartedAt} end`,
      },
    })
    .returning({ key: signInThrottle.key, failures: signInThrottle.failures });
  const limits = new Map(sorted.map((k) => [k.key, k.limit]));
  return rows.length === sorted.length && rows.every((r) => r.failures <= (limits.get(r.key) ?? 0));
}

/** Gives back one reserved attempt (an attempt that succeeded does not count against a shared key such as the IP). */
export async function releaseAttempt(key: string): Promise<void> {
  const db = await getDb();
  await db
    .update(signInThrottle)
    .set({ failures: sql`greatest(${signInThrottle.failures} - 1, 0)` })
    .where(inArray(signInThrottle.key, [key]));
}

export async function clearKeyFailures(key: string): Promise<void> {
  const db = await getDb();
  await db.delete(signInThrottle).where(inArray(signInThrottle.key, [key]));
}

export async function clearAccountFailures(email: string): Promise<void> {
  await clearKeyFailures(accountKey(email).key);
}

/** After a correct password: the account starts afresh and the IP gets its reserved slot back. */
export async function passwordSucceeded(email: string, ip: string | null): Promise<void> {
  await clearAccountFailures(email);
  if (ip) await releaseAttempt(ipKey(ip).key);
}
