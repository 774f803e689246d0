import { and, eq } from "drizzle-orm";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";

import { useDatabaseForTests } from "@/lib/db/client";
import { auditEvents, staff, staffInvitations, staffSessions } from "@/lib/db/schema";
import { resetEnvForTests } from "@/lib/env";
import { createStaff } from "@/lib/staff/accounts";
import { createTestDatabase, type TestDatabase } from "@/test/db";

import { mappedRole, resolveOidcSignIn, type OidcClaims } from "./oidc-sign-in";
import { createSession, checkSession } from "./server-sessions";
import { secondFactorNeed } from "./second-factor-rule";

const ISSUER = "https://idp.corp.example";
let t: TestDatabase;
const meta = { ip: "203.0.113.9", userAgent: "vitest" };

const claims = (sub: string, email: string, extra: Partial<OidcClaims> = {}): OidcClaims => ({
  iss: ISSUER,
  sub,
  email,
  email_verified: true,
  name: sub,
  ...extra,
});

function configure(extra: Record<string, string> = {}) {
  Object.assign(process.env, {
    OIDC_ISSUER: ISSUER,
    OIDC_CLIENT_ID: "console",
    OIDC_CLIENT_SECRET: "secret-secret",
    OIDC_ALLOWED_DOMAINS: "corp.example",
    OIDC_ROLE_CLAIM: "groups",
    OIDC_ROLE_MAP: "basiq-admins=admin,basiq-support=support,basiq-staff=staff",
    ...extra,
  });
  resetEnvForTests();
}

async function row(email: string) {
  const [r] = await t.db.select().from(staff).where(eq(staff.email, email));
  return r;
}

async function audits(action: string, email: string) {
  return t.db.select().from(auditEvents).where(and(eq(auditEvents.action, action), eq(auditEvents.actorEmail, email)));
}

beforeAll(async () => {
  t = await createTestDatabase();
  useDatabaseForTests(t.db);
});
afterAll(async () => {
  for (const k of ["OIDC_ISSUER", "OIDC_CLIENT_ID", "OIDC_CLIENT_SECRET", "OIDC_ALLOWED_DOMAINS", "OIDC_ROLE_CLAIM", "OIDC_ROLE_MAP"]) delete process.env[k];
  resetEnvForTests();
  await t?.close();
});
beforeEach(() => configure());

describe("mappedRole", () => {
  const config = { roleClaim: "groups", roleMap: { "basiq-admins": "admin", "basiq-staff": "staff" } as const };
  it("takes the highest mapped group and ignores the rest", () => {
    expect(mappedRole({ groups: ["basiq-staff", "other", "basiq-admins"] }, config)).toBe("admin");
    expect(mappedRole({ groups: ["other"] }, config)).toBeNull();
    expect(mappedRole({ groups: "basiq-staff" }, config)).toBe("staff");
    expect(mappedRole({ groups: ["__proto__", "constructor"] }, config)).toBeNull();
    expect(mappedRole({}, config)).toBeNull();
    expect(mappedRole({ groups: ["basiq-admins"] }, { roleClaim: undefined, roleMap: {} })).toBeNull();
  });
});

describe("resolveOidcSignIn", () => {
  it("refuses a person without a row outside the allowed domains, with a clear reason, and audits it", async () => {
    const r = await resolveOidcSignIn(claims("s-out", "mallory@elsewhere.example", { groups: ["basiq-admins"] }), meta);
    expect(r).toEqual({ ok: false, reason: "unknown-person" });
    expect(await row("mallory@elsewhere.example")).toBeUndefined();
    expect(await audits("auth.sign_in", "mallory@elsewhere.example")).toEqual([
      expect.objectContaining({ outcome: "failure", details: { method: "oidc", reason: "unknown-person" } }),
    ]);
  });

  it("never creates a row from an unverified e-mail, even in an allowed domain", async () => {
    const r = await resolveOidcSignIn(claims("s-unverified", "eve@corp.example", { email_verified: false }), meta);
    expect(r).toEqual({ ok: false, reason: "unknown-person" });
    expect(await row("eve@corp.example")).toBeUndefined();
  });

  it("creates an unmapped allowed-domain person WITHOUT a role: waiting, no access, linked to issuer + sub", async () => {
    const r = await resolveOidcSignIn(claims("s-wait", "walter@corp.example", { groups: ["unrelated"] }), meta);
    expect(r).toEqual({ ok: false, reason: "waiting" });
    expect(await row("walter@corp.example")).toMatchObject({ role: null, oidcIssuer: ISSUER, oidcSubject: "s-wait", status: "active" });
    // No session was created for them.
    const w = await row("walter@corp.example");
    expect(await t.db.select().from(staffSessions).where(eq(staffSessions.staffId, w!.id))).toHaveLength(0);
    // Signing in again still waits.
    expect(await resolveOidcSignIn(claims("s-wait", "walter@corp.example"), meta)).toEqual({ ok: false, reason: "waiting" });
  });

  it("gives a mapped person the mapped role; removing them from the admin group demotes them at the next sign-in", async () => {
    const first = await resolveOidcSignIn(claims("s-ada", "ada@corp.example", { groups: ["basiq-admins", "basiq-staff"] }), meta);
    expect(first).toMatchObject({ ok: true, role: "admin" });
    const second = await resolveOidcSignIn(claims("s-ada", "ada@corp.example", { groups: ["basiq-staff"] }), meta);
    expect(second).toMatchObject({ ok: true, role: "staff" });
    expect((await row("ada@corp.example"))!.role).toBe("staff");
    expect(await audits("staff.role_mapped", "ada@corp.example")).toEqual([
      expect.objectContaining({ details: expect.objectContaining({ from: "admin", to: "staff", overrodeHandSetRole: false }) }),
    ]);
    // Out of every mapped group: the role that came from the map is removed (waiting again).
    expect(await resolveOidcSignIn(claims("s-ada", "ada@corp.example", { groups: [] }), meta)).toEqual({ ok: false, reason: "waiting" });
    expect((await row("ada@corp.example"))!.role).toBeNull();
  });

  it("links an existing account by verified e-mail once; a mapping wins over a hand-set role, and both are audited", async () => {
    await createStaff(t.db, { email: "hal@corp.example", name: "Hal", role: "admin", password: "a long enough password" });
    const r = await resolveOidcSignIn(claims("s-hal", "hal@corp.example", { groups: ["basiq-support"] }), meta);
    expect(r).toMatchObject({ ok: true, role: "support" });
    expect(await row("hal@corp.example")).toMatchObject({ oidcSubject: "s-hal", role: "support", roleFromIdp: true });
    expect(await audits("auth.sso_linked", "hal@corp.example")).toHaveLength(1);
    expect(await audits("staff.role_mapped", "hal@corp.example")).toEqual([
      expect.objectContaining({ details: expect.objectContaining({ from: "admin", to: "support", overrodeHandSetRole: true }) }),
    ]);
    // Another IdP subject with the same e-mail does not take over the linked row.
    expect(await resolveOidcSignIn(claims("s-imposter", "hal@corp.example", { groups: ["basiq-admins"] }), meta)).toEqual({
      ok: false,
      reason: "unknown-person",
    });
  });

  it("keeps a hand-set role for a linked person in no mapped group", async () => {
    await createStaff(t.db, { email: "ivy@corp.example", name: "Ivy", role: "support", password: "a long enough password" });
    expect(await resolveOidcSignIn(claims("s-ivy", "ivy@corp.example", { groups: [] }), meta)).toMatchObject({ ok: true, role: "support" });
  });

  it("refuses a disabled account", async () => {
    const { id } = await createStaff(t.db, { email: "dan@corp.example", name: "Dan", role: "staff", password: "a long enough password" });
    await t.db.update(staff).set({ status: "disabled" }).where(eq(staff.id, id));
    expect(await resolveOidcSignIn(claims("s-dan", "dan@corp.example", { groups: ["basiq-staff"] }), meta)).toEqual({ ok: false, reason: "disabled" });
  });

  it("refuses claims from another issuer", async () => {
    const r = await resolveOidcSignIn({ ...claims("s-x", "x@corp.example"), iss: "https://evil.example" }, meta);
    expect(r).toEqual({ ok: false, reason: "invalid-claims" });
  });

  it("an admin is complete only when amr shows several factors; otherwise the console's TOTP is owed", async () => {
    const mfa = await resolveOidcSignIn(claims("s-amy", "amy@corp.example", { groups: ["basiq-admins"], amr: ["pwd", "otp"] }), meta);
    const single = await resolveOidcSignIn(claims("s-amy", "amy@corp.example", { groups: ["basiq-admins"], amr: ["pwd"] }), meta);
    expect(mfa).toMatchObject({ ok: true, role: "admin", secondFactorByIdp: true });
    expect(single).toMatchObject({ ok: true, role: "admin", secondFactorByIdp: false });
    // The session created for each: verified from the start only with the IdP's multi-factor amr.
    const staffId = (mfa as { staffId: string }).staffId;
    const verified = await createSession(staffId, meta, undefined, { secondFactorDone: true });
    const owing = await createSession(staffId, meta, undefined, { secondFactorDone: false });
    const v = await checkSession(verified, staffId);
    const o = await checkSession(owing, staffId);
    expect(v.ok && secondFactorNeed("admin", false, v.session.secondFactorAt !== null)).toBe("none");
    expect(o.ok && secondFactorNeed("admin", false, o.session.secondFactorAt !== null)).toBe("enrol");
    expect(await audits("auth.sign_in", "amy@corp.example")).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ outcome: "success" }),
        expect.objectContaining({ outcome: "requested", details: expect.objectContaining({ secondFactor: "pending" }) }),
      ]),
    );
  });

  it("takes a pending invitation for the verified e-mail: the invited role, and the invitation is used up", async () => {
    configure({ OIDC_ALLOWED_DOMAINS: "", OIDC_ROLE_CLAIM: "", OIDC_ROLE_MAP: "" });
    await t.db.insert(staffInvitations).values({ email: "gus@partner.example", role: "support", tokenHash: "h-gus", expiresAt: new Date(Date.now() + 60_000) });
    const r = await resolveOidcSignIn(claims("s-gus", "gus@partner.example"), meta);
    expect(r).toMatchObject({ ok: true, role: "support" });
    const [inv] = await t.db.select().from(staffInvitations).where(eq(staffInvitations.tokenHash, "h-gus"));
    expect(inv!.usedAt).not.toBeNull();
    // An expired invitation does not let anyone in.
    await t.db.insert(staffInvitations).values({ email: "old@partner.example", role: "admin", tokenHash: "h-old", expiresAt: new Date(Date.now() - 1) });
    expect(await resolveOidcSignIn(claims("s-old", "old@partner.example"), meta)).toEqual({ ok: false, reason: "unknown-person" });
  });
});
