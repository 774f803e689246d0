import "server-only";

// What the session cookie says: a server-side session id and the staff id it was issued to. Nothing else is
// trusted from it; lib/auth/session.ts checks the session row (lib/auth/server-sessions.ts) on every request.
// The cookie's JWT is decrypted here rather than read through auth(): the session id stays out of next-auth's
// session object, which /api/auth/session would hand to any script in the page.
import { cookies } from "next/headers";
import { decode, encode } from "next-auth/jwt";

import { env } from "@/lib/env";

import { SESSION_MAX_AGE_SECONDS } from "./server-sessions";

export interface SessionIdentity {
  sessionId: string;
  staffId: string;
  /** The cookie it was read from (absent in test stand-ins). */
  cookieName?: string;
}

/** Auth.js's cookie names (the __Secure- prefix is used over https). The salt of the JWT is the cookie's name. */
const COOKIE_NAMES = ["__Secure-authjs.session-token", "authjs.session-token"] as const;

/**
 * Cookies this process has already decrypted: cookie name and value → the ids and the token's expiry. Auth.js's
 * JWE (HKDF, then AES-CBC and HMAC-SHA512 through WebCrypto) cost about 2 ms of the event loop per request under
 * load, and a session sends the same cookie on every request. Only what decryption proved is kept — never a
 * failure — and an entry past the token's expiry goes back through decode(); the session row is still checked
 * on every request (lib/auth/session.ts), so a revoked session is refused as before. Bounded: the oldest entry
 * leaves first (Map keeps insertion order).
 */
const decoded = new Map<string, { sessionId: string; staffId: string; expiresAtMs: number }>();
export const DECODED_COOKIES_MAX = 1_000;

export async function getSessionIdentity(): Promise<SessionIdentity | null> {
  const jar = await cookies();
  for (const name of COOKIE_NAMES) {
    const value = jar.get(name)?.value;
    if (!value) continue;
    const key = `${name}\n${value}`;
    const known = decoded.get(key);
    if (known && Date.now() < known.expiresAtMs) return { sessionId: known.sessionId, staffId: known.staffId, cookieName: name };
    decoded.delete(key);
    try {
      const token = await decode({ token: value, secret: env().authSecret, salt: name });
      const staffId = token?.sub;
      const sessionId = token?.sid;
      if (typeof staffId !== "string" || !/^[0-9a-f-]{36}$/i.test(staffId)) return null;
      if (typeof sessionId !== "string" || !/^[A-Za-z0-9_-]{43}$/.test(sessionId)) return null;
      if (typeof token?.exp === "number") {
        if (decoded.size >= DECODED_COOKIES_MAX) decoded.delete(decoded.keys().next().value!);
        decoded.set(key, { sessionId, staffId, expiresAtMs: token.exp * 1000 });
      }
      return { sessionId, staffId, cookieName: name };
    } catch {
      return null; // tampered, expired or written under another secret
    }
  }
  return null;
}

/** Tests: how many decrypted cookies are remembered. */
export function decodedCookieCount(): number {
  return decoded.size;
}

/**
 * Points the session cookie at another server-side session (after rotateSession), with next-auth's own JWT
 * encoding and the same name and flags (HttpOnly, SameSite=Lax, Path=/, Secure for the __Secure- name).
 * Only callable where cookies may be set: a server action or a route handler.
 */
export async function replaceSessionCookie(identity: SessionIdentity, sessionId: string): Promise<void> {
  const name = identity.cookieName ?? COOKIE_NAMES[1];
  const value = await encode({ token: { sub: identity.staffId, sid: sessionId }, secret: env().authSecret, salt: name, maxAge: SESSION_MAX_AGE_SECONDS });
  const jar = await cookies();
  jar.set(name, value, { httpOnly: true, sameSite: "lax", path: "/", secure: name.startsWith("__Secure-"), maxAge: SESSION_MAX_AGE_SECONDS });
}
