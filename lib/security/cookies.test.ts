// Signs in through next-auth's real route handlers with our cookie settings and reads the Set-Cookie it sends,
// for an https deployment (the e2e server is plain http, so the Secure case is proven here).
import NextAuth from "next-auth";
import Credentials from "next-auth/providers/credentials";
import { NextRequest } from "next/server";
import { afterEach, describe, expect, it } from "vitest";

import { sessionCookieConfig } from "./cookies";

const savedAuthUrl = process.env.AUTH_URL;
afterEach(() => {
  if (savedAuthUrl === undefined) delete process.env.AUTH_URL;
  else process.env.AUTH_URL = savedAuthUrl;
});

/** Signs in at `origin` (the URL the server sees) with AUTH_URL as given; returns the session cookie's Set-Cookie. */
async function sessionSetCookie(origin: string, authUrl: string | undefined): Promise<string> {
  if (authUrl === undefined) delete process.env.AUTH_URL;
  else process.env.AUTH_URL = authUrl;
  const { handlers } = NextAuth({
    secret: "test-secret-test-secret-test-secret-00",
    trustHost: true,
    session: { strategy: "jwt" },
    ...sessionCookieConfig(authUrl),
    providers: [Credentials({ credentials: { email: {} }, authorize: () => ({ id: "staff-1" }) })],
  });
  const csrf = await handlers.GET(new NextRequest(`${origin}/api/auth/csrf`));
  const { csrfToken } = (await csrf.json()) as { csrfToken: string };
  const cookie = csrf.headers
    .getSetCookie()
    .map((c) => c.split(";")[0])
    .join("; ");
  const res = await handlers.POST(
    new NextRequest(`${origin}/api/auth/callback/credentials`, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded", cookie },
      body: new URLSearchParams({ csrfToken, email: "a@example.com" }).toString(),
    }),
  );
  const session = res.headers.getSetCookie().find((c) => /^(__Secure-)?authjs\.session-token=/.test(c));
  if (!session)
    throw new Error(`no session cookie (status ${res.status}, location ${res.headers.get("location")})`);
  return session;
}

/** The attributes of a Set-Cookie value, lower-cased names. */
function attributes(setCookie: string): Map<string, string> {
  return new Map(
    setCookie
      .split(";")
      .slice(1)
      .map((a) => {
        const [k = "", v = ""] = a.trim().split("=");
        return [k.toLowerCase(), v];
      }),
  );
}

describe("session cookie flags", () => {
  it("https AUTH_URL (TLS ended at a proxy in front): __Secure- cookie, Secure, HttpOnly, SameSite=Lax, Path=/", async () => {
    const setCookie = await sessionSetCookie("http://127.0.0.1:3000", "https://console.example.com");
    expect(setCookie).toMatch(/^__Secure-authjs\.session-token=/);
    const a = attributes(setCookie);
    expect(a.has("secure")).toBe(true);
    expect(a.has("httponly")).toBe(true);
    expect(a.get("samesite")).toBe("Lax");
    expect(a.get("path")).toBe("/");
  });

  it("no AUTH_URL, https request: the name and the Secure flag still agree (a __Secure- cookie without Secure is dropped)", async () => {
    const setCookie = await sessionSetCookie("https://console.example.com", undefined);
    expect(setCookie).toMatch(/^__Secure-authjs\.session-token=/);
    expect(attributes(setCookie).has("secure")).toBe(true);
  });

  it("http AUTH_URL (local and e2e): no Secure flag, so the browser sends it back; HttpOnly and Lax all the same", async () => {
    const setCookie = await sessionSetCookie("http://localhost:3000", "http://localhost:3000");
    expect(setCookie).toMatch(/^authjs\.session-token=/);
    const a = attributes(setCookie);
    expect(a.has("secure")).toBe(false);
    expect(a.has("httponly")).toBe(true);
    expect(a.get("samesite")).toBe("Lax");
    expect(a.get("path")).toBe("/");
  });
});
