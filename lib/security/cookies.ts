// The session cookie's flags (SECURITY.md SES-1) in one place. next-auth names the cookie `__Secure-…` and marks
// it Secure from one switch, `useSecureCookies`; deciding the name and the flag separately can produce a
// `__Secure-` cookie without Secure, which browsers drop (nobody could sign in). So we set only the switch.
import type { NextAuthConfig } from "next-auth";

/**
 * AUTH_URL https → Secure cookies, http → not (a browser would not send them back over http); unset → next-auth
 * decides per request from the protocol it sees (X-Forwarded-Proto is honoured because trustHost is on).
 * HttpOnly, SameSite=Lax and Path=/ are next-auth's defaults, restated so they cannot drift unnoticed.
 */
export function sessionCookieConfig(
  authUrl: string | undefined,
): Pick<NextAuthConfig, "useSecureCookies" | "cookies"> {
  const protocol = authUrl ? new URL(authUrl).protocol : undefined;
  return {
    ...(protocol ? { useSecureCookies: protocol === "https:" } : {}),
    cookies: { sessionToken: { options: { httpOnly: true, sameSite: "lax", path: "/" } } },
  };
}
