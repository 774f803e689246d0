import "server-only";

// The machine API's request handling, apart from Next.js so tests call it directly: a staff session cookie → 403
// (this API is for machines; staff use the console), no or an unknown/revoked key → 401, a key of another scope →
// 403, over 10 requests a second per key → 429, a malformed user id → 400; then the check. Every call made with a
// valid key is audited under the key's name (never the key itself: it is not logged anywhere).
import { recordAudit } from "@/lib/audit";
import { metaFromHeaders } from "@/lib/audit/request-meta";
import type { BasiqClient } from "@/lib/basiq/client";
import { isBasiqError, isBasiqNotFound } from "@/lib/basiq/errors";
import { basiqUserIdSchema } from "@/lib/dal/ids";
import type { Database } from "@/lib/db";
import { log } from "@/lib/log";
import { consumeQuota, type QuotaRule } from "@/lib/security/quota";

import { USER_CHECK_RATE_LIMIT } from "./constants";
import { API_KEY_SCOPE, authenticateApiKey, type AuthenticatedKey } from "./keys";
import { checkUser } from "./user-check";

export const USER_CHECK_RATE: QuotaRule = { bucket: "api.user-check", limit: USER_CHECK_RATE_LIMIT, windowMs: 1000 };

const json = (status: number, body: unknown, headers: Record<string, string> = {}) =>
  Response.json(body, { status, headers: { "Cache-Control": "no-store", ...headers } });
const problem = (status: number, error: string, message: string, headers: Record<string, string> = {}) =>
  json(status, { error, message }, headers);

/** Whether the request carries a console session cookie (Auth.js: `authjs.session-token`, `__Secure-…`, chunks `.0`). */
export function hasStaffSessionCookie(headers: Headers): boolean {
  const cookie = headers.get("cookie") ?? "";
  return cookie.split(";").some((part) => /^\s*(__Secure-|__Host-)?authjs\.session-token(\.\d+)?=/.test(part));
}

/** The key from `Authorization: Bearer <key>`, or null. */
export function presentedKey(headers: Headers): string | null {
  const match = /^Bearer\s+(\S+)\s*$/i.exec(headers.get("authorization") ?? "");
  return match?.[1] ?? null;
}

export async function handleUserCheck(
  request: Request,
  rawUserId: string,
  deps: { db: Database; client: BasiqClient },
): Promise<Response> {
  const { db, client } = deps;
  if (hasStaffSessionCookie(request.headers)) {
    return problem(403, "staff-session", "This API is for the partner's back end with an API key; a console session cannot use it.");
  }
  const presented = presentedKey(request.headers);
  if (!presented) {
    return problem(401, "api-key-required", "Send your API key as Authorization: Bearer <key>.", { "WWW-Authenticate": 'Bearer realm="api"' });
  }
  const key = await authenticateApiKey(db, presented);
  if (!key) {
    return problem(401, "api-key-invalid", "This API key is not valid or has been revoked.", { "WWW-Authenticate": 'Bearer realm="api", error="invalid_token"' });
  }
  const meta = metaFromHeaders(request.headers);
  const audit = (outcome: "success" | "failure" | "denied", details: Record<string, unknown>, userId: string | null = null) =>
    recordAudit({
      actor: { id: null, email: null, role: "api-key" },
      action: "api.user_check",
      outcome,
      userId,
      meta,
      details: { keyId: key.id, keyName: key.name, ...details },
    });
  if (key.scope !== API_KEY_SCOPE) {
    await audit("denied", { reason: "scope" });
    return problem(403, "api-key-scope", "This API key is not allowed to call this endpoint.");
  }
  const rate = await consumeQuota(db, key.id, USER_CHECK_RATE);
  if (!rate.allowed) {
    await audit("denied", { reason: "rate-limited" });
    const retryAfter = Math.max(1, Math.ceil((rate.resetsAt.getTime() - Date.now()) / 1000));
    return problem(429, "rate-limited", `At most ${USER_CHECK_RATE.limit} requests a second per API key.`, { "Retry-After": String(retryAfter) });
  }
  const parsed = basiqUserIdSchema.safeParse(rawUserId);
  if (!parsed.success) {
    await audit("denied", { reason: "invalid-user-id" });
    return problem(400, "invalid-user-id", "The user id is not a Basiq user id.");
  }
  const userId = parsed.data;
  try {
    const result = await checkUser(db, client, userId);
    await audit("success", { connections: result.connections.length }, userId);
    return json(200, result);
  } catch (e) {
    if (isBasiqNotFound(e, { invalidIdToo: true })) {
      await audit("failure", { reason: "user-not-found" }, userId);
      return problem(404, "user-not-found", "Basiq has no user with this id.");
    }
    const correlationId = isBasiqError(e) ? (e.correlationId ?? null) : null;
    await audit("failure", { reason: "basiq-unavailable", correlationId }, userId);
    log.warn({ userId, keyId: key.id, correlationId, err: e instanceof Error ? e.name : "unknown" }, "user check: Basiq could not answer");
    return problem(502, "basiq-unavailable", `Basiq could not be reached; try again shortly.${correlationId ? ` Reference: ${correlationId}.` : ""}`);
  }
}

export type { AuthenticatedKey };
