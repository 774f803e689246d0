import "server-only";

// Sign-in throttling (SECURITY.md AUTH-2): failures counted per account and per IP in a fixed 15-minute window.
import { inArray, sql } from "drizzle-orm";

import { getDb } from "@/lib/db";
import { signInThrottle } from "@/lib/db/schema";

export const THROTTLE_WINDOW_MS = 15 * 60_000;
export const MAX_FAILURES_PER_ACCOUNT = 10;
export const MAX_FAILURES_PER_IP = 50;

function keys(email: string, ip: string | null): { account: string; ip: string | null } {
  return { account: `account:${email}`, ip: ip ? `ip:${ip}` : null };
}

export async function isThrottled(email: string, ip: string | null, now = new Date()): Promise<boolean> {
  const k = keys(email, ip);
  const db = await getDb();
  const rows = await db
    .select()
    .from(signInThrottle)
    .where(inArray(signInThrottle.key, [k.account, ...(k.ip ? [k.ip] : [])]));
  return rows.some((row) => {
    if (now.getTime() - row.windowStartedAt.getTime() > THROTTLE_WINDOW_MS) return false;
    const limit = row.key.startsWith("account:") ? MAX_FAILURES_PER_ACCOUNT : MAX_FAILURES_PER_IP;
    return row.failures >= limit;
  });
}

export async function recordFailure(email: string, ip: string | null, now = new Date()): Promise<void> {
  const k = keys(email, ip);
  for (const key of [k.account, ...(k.ip ? [k.ip] : [])]) await recordKeyFailure(key, now);
}

/** Counts one failure under `key` in the current 15-minute window (a window older than that starts again at 1). */
export async function recordKeyFailure(key: string, now = new Date()): Promise<void> {
  const db = await getDb();
  const windowStart = new Date(now.getTime() - THROTTLE_WINDOW_MS);
  await db
    .insert(signInThrottle)
    .values({ key, failures: 1, windowStartedAt: now })
    .onConflictDoUpdate({
      target: signInThrottle.key,
      set: {
        failures: sql`case when ${signInThrottle.windowStartedAt} < ${windowStart.toISOString()}::timestamptz then 1 else ${signInThrottle.failures} + 1 end`,
        windowStartedAt: sql`case when ${signInThrottle.windowStartedAt} < ${windowStart.toISOString()}::timestamptz then ${now.toISOString()}::timestamptz else ${signInThrottle.windowStartedAt} end`,
      },
    });
}

/** True when `key` has `limit` or more failures in its current 15-minute window. */
export async function isKeyThrottled(key: string, limit: number, now = new Date()): Promise<boolean> {
  const db = await getDb();
  const [row] = await db.select().from(signInThrottle).where(inArray(signInThrottle.key, [key]));
  return !!row && now.getTime() - row.windowStartedAt.getTime() <= THROTTLE_WINDOW_MS && row.failures >= limit;
}

export async function clearKeyFailures(key: string): Promise<void> {
  const db = await getDb();
  await db.delete(signInThrottle).where(inArray(signInThrottle.key, [key]));
}

export async function clearAccountFailures(email: string): Promise<void> {
  await clearKeyFailures(`account:${email}`);
}
