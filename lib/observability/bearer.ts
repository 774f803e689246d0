import { createHash, timingSafeEqual } from "node:crypto";

// The scrape endpoint's bearer-token check, in constant time (both sides hashed first, so the comparison never
// depends on where the strings differ or on their lengths).
export type BearerVerdict = "not-configured" | "refused" | "ok";

export function checkBearer(authorization: string | null, configured: string | undefined): BearerVerdict {
  if (!configured) return "not-configured";
  const match = /^Bearer ([^\s]+)$/i.exec(authorization?.trim() ?? "");
  const given = createHash("sha256").update(match?.[1] ?? "").digest();
  const expected = createHash("sha256").update(configured).digest();
  return timingSafeEqual(given, expected) && match ? "ok" : "refused";
}
