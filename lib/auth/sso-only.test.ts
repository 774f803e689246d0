import { and, eq } from "drizzle-orm";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";

import { useDatabaseForTests } from "@/lib/db/client";
import { auditEvents, consoleSettings, signInThrottle, staffSecondFactors } from "@/lib/db/schema";
import { resetEnvForTests } from "@/lib/env";
import { createStaff } from "@/lib/staff/accounts";
import { createTestDatabase, type TestDatabase } from "@/test/db";

import { authModeState } from "./auth-mode";
import { verifySignIn } from "./sign-in";

let t: TestDatabase;
let glassId: string;
const meta = { ip: "203.0.113.8", userAgent: "vitest" };
const OIDC = { OIDC_ISSUER: "https://idp.corp.example", OIDC_CLIENT_ID: "console", OIDC_CLIENT_SECRET: "secret" };
const KEYS = [...Object.keys(OIDC), "AUTH_MODE", "BREAK_GLASS_ADMIN"];

function setEnv(vars: Record<string, string>) {
  for (const k of KEYS) delete process.env[k];
  Object.assign(process.env, vars);
  resetEnvForTests();
}

async function deniedFor(email: string) {
  return t.db
    .select()
    .from(auditEvents)
    .where(and(eq(auditEvents.action, "auth.sign_in"), eq(auditEvents.actorEmail, email), eq(auditEvents.outcome, "denied")));
}

beforeAll(async () => {
  t = await createTestDatabase();
  useDatabaseForTests(t.db);
  await createStaff(t.db, { email: "sam@corp.example", name: "Sam", role: "admin", password: "sam's long password" });
  glassId = (await createStaff(t.db, { email: "glass@corp.example", name: "Glass", role: "admin", password: "break the glass now" })).id;
});
afterAll(async () => {
  setEnv({});
  await t?.close();
});
beforeEach(async () => {
  await t.db.delete(signInThrottle);
  await t.db.delete(consoleSettings);
  await t.db.delete(staffSecondFactors);
});

describe("SSO-only mode", () => {
  it("is off by default: passwords work", async () => {
    setEnv({ ...OIDC });
    expect((await authModeState()).ssoOnly).toBe(false);
    expect((await verifySignIn({ email: "sam@corp.example", password: "sam's long password" }, meta)).ok).toBe(true);
  });

  it("AUTH_MODE=sso refuses a right password, audited, for everyone but the break-glass admin with TOTP", async () => {
    setEnv({ ...OIDC, AUTH_MODE: "sso", BREAK_GLASS_ADMIN: "glass@corp.example" });
    expect(await verifySignIn({ email: "sam@corp.example", password: "sam's long password" }, meta)).toEqual({ ok: false, reason: "sso-only" });
    expect(await deniedFor("sam@corp.example")).toEqual([expect.objectContaining({ details: { reason: "sso-only", method: "password" } })]);
    // The break-glass admin without TOTP: refused too.
    expect(await verifySignIn({ email: "glass@corp.example", password: "break the glass now" }, meta)).toEqual({ ok: false, reason: "invalid" });
    await t.db.insert(staffSecondFactors).values({ staffId: glassId, secretEnc: "x", confirmedAt: new Date() });
    expect((await verifySignIn({ email: "glass@corp.example", password: "break the glass now" }, meta)).ok).toBe(true);
    // And with a wrong password, still refused.
    expect((await verifySignIn({ email: "glass@corp.example", password: "wrong" }, meta)).ok).toBe(false);
  });

  it("the Staff page setting turns it on while SSO is configured (and only then)", async () => {
    setEnv({ ...OIDC });
    await t.db.insert(consoleSettings).values({ key: "sso-only", value: true });
    expect(await authModeState()).toMatchObject({ ssoOnly: true, source: "setting" });
    expect((await verifySignIn({ email: "sam@corp.example", password: "sam's long password" }, meta)).ok).toBe(false);
    setEnv({});
    expect((await authModeState()).ssoOnly).toBe(false);
    expect((await verifySignIn({ email: "sam@corp.example", password: "sam's long password" }, meta)).ok).toBe(true);
  });
});
