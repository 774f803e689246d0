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

export async function getSessionIdentity(): Promise<SessionIdentity | null> {
  const jar = await cookies();
  for (const name of COOKIE_NAMES) {
    const value = jar.get(name)?.value;
    if (!value) continue;
    try {
      const token = await decode({ token: value, secret: env().authSecret, salt: name });
      const staffId = token?.sub;
      const sessionId = token?.sid;
      if (typeof staffId !== "string" || !/^[0-9a-f-]{36}$/i.test(staffId)) return null;
      if (typeof sessionId !== "string" || !/^[A-Za-z0-9_-]{43}$/.test(sessionId)) return null;
      return { sessionId, staffId, cookieName: name };
    } catch {
      return null; // tampered, expired or written under another secret
    }
  }
  return null;
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
