import "server-only";

// Password prompts inside the console (purge's "confirm it is you", and any other): the same account and IP limit
// as the sign-in form (lib/auth/throttle.ts), with the attempt reserved before scrypt runs (issue 14 item 2).
import { eq } from "drizzle-orm";

import { requestMeta, type RequestMeta } from "@/lib/audit/request-meta";
import { getDb } from "@/lib/db";
import { staff } from "@/lib/db/schema";

import { verifyPassword } from "./password";
import { passwordKeys, passwordSucceeded, reserveAttempt } from "./throttle";

export type PasswordCheck = "ok" | "missing" | "wrong" | "throttled";

/** Checks `password` against the signed-in staff member's own, counting toward their sign-in limit. */
export async function confirmOwnPassword(who: { id: string; email: string }, password: string | undefined, meta?: RequestMeta): Promise<PasswordCheck> {
  if (!password) return "missing";
  const m = meta ?? (await requestMeta());
  if (!(await reserveAttempt(passwordKeys(who.email, m.ip)))) return "throttled";
  const db = await getDb();
  const [row] = await db.select({ hash: staff.passwordHash }).from(staff).where(eq(staff.id, who.id)).limit(1);
  if (!(await verifyPassword(password, row?.hash))) return "wrong";
  await passwordSucceeded(who.email, m.ip);
  return "ok";
}
