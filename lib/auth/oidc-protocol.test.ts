// The OIDC sign-in end to end at the protocol level: next-auth's own handler (@auth/core's Auth, with the console's
// configuration from lib/auth/auth-config.ts) against a real OpenID provider (oidc-provider, test/oidc/idp.ts) on a
// local port. Proves what next-auth checks for us (state, nonce, issuer, ID token expiry) is on, and that a
// refused callback never creates a session.
import { Auth, customFetch, skipCSRFCheck, type AuthConfig } from "@auth/core";
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";

import { useDatabaseForTests } from "@/lib/db/client";
import { staff, staffSessions } from "@/lib/db/schema";
import { resetEnvForTests } from "@/lib/env";
import { createTestDatabase, type TestDatabase } from "@/test/db";
import { startTestIdp, type TestIdp } from "@/test/oidc/idp";

import { authConfig } from "./auth-config";

vi.mock("next/headers", () => ({ headers: async () => new Headers({ "user-agent": "vitest-oidc" }) }));

const APP = "http://localhost:3999";
let t: TestDatabase;
let idp: TestIdp;

function setOidcEnv(issuer: string) {
  Object.assign(process.env, {
    OIDC_ISSUER: issuer,
    OIDC_CLIENT_ID: "basiq-console",
    OIDC_CLIENT_SECRET: "test-client-secret",
    OIDC_ALLOWED_DOMAINS: "corp.example",
    OIDC_ROLE_CLAIM: "groups",
    OIDC_ROLE_MAP: "basiq-admins=admin,basiq-support=support,basiq-staff=staff",
  });
  resetEnvForTests();
}

function config(extra: { fetch?: typeof fetch } = {}): AuthConfig {
  const c = authConfig();
  if (extra.fetch) {
    for (const p of c.providers) if (typeof p === "object" && "id" in p && p.id === "oidc") Object.assign(p, { [customFetch]: extra.fetch });
  }
  // next-auth's Next.js wrapper adds the base path; skipCSRFCheck is what its server-side signIn() uses too.
  return { ...(c as AuthConfig), basePath: "/api/auth", skipCSRFCheck } as AuthConfig;
}

/** Cookies a response sets, as name → value (a jar for the next request). */
function jar(res: Response, into: Map<string, string> = new Map()): Map<string, string> {
  for (const c of res.headers.getSetCookie()) {
    const [pair] = c.split(";");
    const i = pair!.indexOf("=");
    into.set(pair!.slice(0, i), pair!.slice(i + 1));
  }
  return into;
}
const cookieHeader = (j: Map<string, string>) => [...j].map(([k, v]) => `${k}=${v}`).join("; ");

/** Starts a sign-in at the console: the IdP's authorization URL and the console's check cookies (state, PKCE, nonce). */
async function start(cfg = config()) {
  const res = await Auth(
    new Request(`${APP}/api/auth/signin/oidc`, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams({ callbackUrl: `${APP}/` }),
    }),
    cfg,
  );
  return { location: res.headers.get("location") ?? "", cookies: jar(res) };
}

/** Signs in at the IdP as `user` (login_hint skips the form): the callback URL the IdP sends the browser to. */
async function authorizeAt(authorizationUrl: string, user: string): Promise<string> {
  const idpJar = new Map<string, string>();
  let url = `${authorizationUrl}&login_hint=${encodeURIComponent(user)}`;
  for (let i = 0; i < 10; i++) {
    const res = await fetch(url, { redirect: "manual", headers: { cookie: cookieHeader(idpJar) } });
    jar(res, idpJar);
    const next = res.headers.get("location");
    if (!next) throw new Error(`IdP stopped at ${res.status}: ${await res.text()}`);
    url = new URL(next, url).toString();
    if (url.startsWith(`${APP}/api/auth/callback/oidc`)) return url;
  }
  throw new Error("too many IdP redirects");
}

async function callback(url: string, cookies: Map<string, string>, cfg = config()) {
  const res = await Auth(new Request(url, { headers: { cookie: cookieHeader(cookies) } }), cfg);
  const set = jar(res);
  return { location: res.headers.get("location") ?? "", session: [...set.keys()].some((k) => k.endsWith("authjs.session-token") && set.get(k)) };
}

async function sessionsOf(email: string) {
  const [row] = await t.db.select().from(staff).where(eq(staff.email, email));
  return row ? t.db.select().from(staffSessions).where(eq(staffSessions.staffId, row.id)) : [];
}

beforeAll(async () => {
  t = await createTestDatabase();
  useDatabaseForTests(t.db);
  idp = await startTestIdp({
    port: 0,
    clientId: "basiq-console",
    clientSecret: "test-client-secret",
    redirectUris: [`${APP}/api/auth/callback/oidc`],
    users: {
      ada: { email: "ada@corp.example", name: "Ada Admin", groups: ["basiq-admins"], amr: ["pwd", "otp"] },
      sol: { email: "sol@corp.example", name: "Sol Single", groups: ["basiq-admins"], amr: ["pwd"] },
      una: { email: "una@corp.example", name: "Una Unmapped", groups: ["marketing"], amr: ["pwd"] },
      sue: { email: "sue@corp.example", name: "Sue Support", groups: ["basiq-support"], amr: ["pwd"] },
    },
  });
});
afterAll(async () => {
  for (const k of ["OIDC_ISSUER", "OIDC_CLIENT_ID", "OIDC_CLIENT_SECRET", "OIDC_ALLOWED_DOMAINS", "OIDC_ROLE_CLAIM", "OIDC_ROLE_MAP"]) delete process.env[k];
  resetEnvForTests();
  await idp?.close();
  await t?.close();
});
beforeEach(() => setOidcEnv(idp.issuer));

describe("OIDC sign-in through next-auth against a real provider", () => {
  it("signs a mapped admin in (discovery, PKCE, state, nonce); amr with two factors completes the session", async () => {
    const { location, cookies } = await start();
    expect(location.startsWith(`${idp.issuer}/auth?`)).toBe(true);
    const params = new URL(location).searchParams;
    expect(params.get("code_challenge_method")).toBe("S256");
    expect(params.get("state")).toBeTruthy();
    expect(params.get("nonce")).toBeTruthy();
    const result = await callback(await authorizeAt(location, "ada"), cookies);
    expect(result.session).toBe(true);
    expect(new URL(result.location, APP).pathname).toBe("/");
    const [row] = await t.db.select().from(staff).where(eq(staff.email, "ada@corp.example"));
    expect(row).toMatchObject({ role: "admin", oidcIssuer: idp.issuer, oidcSubject: "ada" });
    const sessions = await sessionsOf("ada@corp.example");
    expect(sessions).toHaveLength(1);
    expect(sessions[0]!.secondFactorAt).not.toBeNull();
  });

  it("a person removed from the admin group is demoted at the next sign-in", async () => {
    idp.users.dee = { email: "dee@corp.example", name: "Dee", groups: ["basiq-admins", "basiq-staff"], amr: ["pwd", "otp"] };
    const first = await start();
    expect((await callback(await authorizeAt(first.location, "dee"), first.cookies)).session).toBe(true);
    expect((await t.db.select().from(staff).where(eq(staff.email, "dee@corp.example")))[0]!.role).toBe("admin");
    idp.users.dee.groups = ["basiq-staff"];
    const second = await start();
    expect((await callback(await authorizeAt(second.location, "dee"), second.cookies)).session).toBe(true);
    expect((await t.db.select().from(staff).where(eq(staff.email, "dee@corp.example")))[0]!.role).toBe("staff");
  });

  it("an admin whose amr shows one factor gets a session that still owes the console's TOTP", async () => {
    const { location, cookies } = await start();
    const result = await callback(await authorizeAt(location, "sol"), cookies);
    expect(result.session).toBe(true);
    const sessions = await sessionsOf("sol@corp.example");
    expect(sessions.map((s) => s.secondFactorAt)).toEqual([null]);
  });

  it("an unmapped person waits for an administrator: no session", async () => {
    const { location, cookies } = await start();
    const result = await callback(await authorizeAt(location, "una"), cookies);
    expect(result.session).toBe(false);
    expect(result.location).toContain("/login?sso=waiting");
    expect(await sessionsOf("una@corp.example")).toHaveLength(0);
  });

  it("refuses a tampered state", async () => {
    const { location, cookies } = await start();
    const url = new URL(await authorizeAt(location, "sue"));
    url.searchParams.set("state", `${url.searchParams.get("state")}x`);
    const result = await callback(url.toString(), cookies);
    expect(result.session).toBe(false);
    expect(result.location).toContain("/login?error=");
    expect(await sessionsOf("sue@corp.example")).toHaveLength(0);
  });

  it("refuses a wrong nonce (the ID token was issued for another sign-in's nonce)", async () => {
    const first = await start();
    const second = await start();
    const url = await authorizeAt(first.location, "sue");
    // The first sign-in's state and PKCE verifier, but the second's nonce cookie.
    const cookies = new Map(first.cookies);
    for (const [k, v] of second.cookies) if (k.endsWith("authjs.nonce")) cookies.set(k, v);
    expect([...cookies.keys()].some((k) => k.endsWith("authjs.nonce"))).toBe(true);
    const result = await callback(url, cookies);
    expect(result.session).toBe(false);
    expect(result.location).toContain("/login?error=");
    expect(await sessionsOf("sue@corp.example")).toHaveLength(0);
  });

  it("refuses a provider whose issuer is not the configured one", async () => {
    // Same server, named differently: discovery answers with the issuer 127.0.0.1, which is not what we expect.
    setOidcEnv(idp.issuer.replace("127.0.0.1", "localhost"));
    const res = await start();
    expect(res.location).toContain("/login?error=");
    expect(res.location.startsWith(idp.issuer)).toBe(false);
  });

  it("refuses an expired ID token", async () => {
    const { location, cookies } = await start();
    const url = await authorizeAt(location, "sue");
    // The console's clock is 10 minutes on when the token arrives (the IdP's ID tokens live 120 s); the IdP
    // itself mints the token on the real clock.
    const later = Date.now() + 10 * 60_000;
    const idpFetch: typeof fetch = async (...args) => {
      vi.useRealTimers();
      try {
        return await fetch(...args);
      } finally {
        vi.useFakeTimers({ toFake: ["Date"], now: later });
      }
    };
    vi.useFakeTimers({ toFake: ["Date"], now: later });
    try {
      const result = await callback(url, cookies, config({ fetch: idpFetch }));
      expect(result.session).toBe(false);
      expect(result.location).toContain("/login?error=");
    } finally {
      vi.useRealTimers();
    }
    expect(await sessionsOf("sue@corp.example")).toHaveLength(0);
    // The same flow on the right clock succeeds: the refusal above was the expiry.
    const again = await start();
    expect((await callback(await authorizeAt(again.location, "sue"), again.cookies)).session).toBe(true);
  });
});
