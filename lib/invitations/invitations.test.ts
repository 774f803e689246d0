import { eq } from "drizzle-orm";
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";

import { useDatabaseForTests } from "@/lib/db/client";
import { auditEvents, consoleSettings, staff, staffInvitations } from "@/lib/db/schema";
import { resetEnvForTests } from "@/lib/env";
import { log } from "@/lib/log";
import { actAs, staffWithRole } from "@/test/session-mock";
import { createTestDatabase, type TestDatabase } from "@/test/db";
import { startCapturingSmtp, type CapturingSmtp } from "@/test/smtp";

import { setSsoOnly } from "@/lib/auth/auth-mode";

import { acceptInvitation, hashInvitationToken, INVITATION_TTL_MS, inviteStaff, viewInvitation } from "./index";

vi.mock("@/lib/auth/session", async () => (await import("@/test/session-mock")).mockedSessionModule());

let t: TestDatabase;
let smtp: CapturingSmtp;
let bossId: string;
const meta = { ip: "203.0.113.5", userAgent: "vitest" };
const ORIGIN = "https://console.corp.example";
const PASSWORD = "plum tractor umbrella 41";

const tokenOf = (link: string) => link.slice(link.indexOf("#") + 1);

beforeAll(async () => {
  t = await createTestDatabase();
  useDatabaseForTests(t.db);
  smtp = await startCapturingSmtp();
  const [boss] = await t.db.insert(staff).values({ email: "boss@corp.example", name: "Boss", role: "admin" }).returning();
  bossId = boss!.id;
});
afterAll(async () => {
  delete process.env.SMTP_URL;
  delete process.env.SMTP_FROM;
  resetEnvForTests();
  await smtp.close();
  await t?.close();
});
beforeEach(() => {
  delete process.env.SMTP_URL;
  delete process.env.SMTP_FROM;
  resetEnvForTests();
  actAs({ ...staffWithRole("admin"), id: bossId, email: "boss@corp.example" });
});

describe("invitations", () => {
  it("without SMTP, shows the link once; the link works once and only its hash is stored", async () => {
    const sent = await inviteStaff({ email: "New.Person@corp.example", role: "support" }, ORIGIN);
    expect(sent).toMatchObject({ email: "new.person@corp.example", role: "support", delivery: "shown" });
    expect(sent.link).toMatch(/^https:\/\/console\.corp\.example\/invitation#[A-Za-z0-9_-]{43}$/);
    const token = tokenOf(sent.link!);
    const [stored] = await t.db.select().from(staffInvitations).where(eq(staffInvitations.email, "new.person@corp.example"));
    expect(stored!.tokenHash).toBe(hashInvitationToken(token));
    expect(JSON.stringify(stored)).not.toContain(token);
    expect(stored!.expiresAt.getTime() - stored!.createdAt.getTime()).toBe(INVITATION_TTL_MS);

    expect(await viewInvitation(token)).toMatchObject({ email: "new.person@corp.example", role: "support", passwordAllowed: true });
    expect(await acceptInvitation({ token, name: "New Person", password: PASSWORD }, meta)).toEqual({ ok: true, email: "new.person@corp.example" });
    const [created] = await t.db.select().from(staff).where(eq(staff.email, "new.person@corp.example"));
    expect(created).toMatchObject({ role: "support", passwordChangeRequired: false });
    // Second use: refused, and the view says nothing about it.
    const again = await acceptInvitation({ token, name: "Someone Else", password: PASSWORD }, meta);
    expect(again.ok).toBe(false);
    expect(await viewInvitation(token)).toBeNull();
  });

  it("expires after 72 hours", async () => {
    const now = new Date("2026-12-01T00:00:00Z");
    const sent = await inviteStaff({ email: "late@corp.example", role: "staff" }, ORIGIN, now);
    const token = tokenOf(sent.link!);
    const justBefore = new Date(now.getTime() + INVITATION_TTL_MS - 1000);
    const after = new Date(now.getTime() + INVITATION_TTL_MS + 1);
    expect(await viewInvitation(token, justBefore)).not.toBeNull();
    expect(await viewInvitation(token, after)).toBeNull();
    expect((await acceptInvitation({ token, name: "Late", password: PASSWORD }, meta, after)).ok).toBe(false);
    expect(await t.db.select().from(staff).where(eq(staff.email, "late@corp.example"))).toHaveLength(0);
  });

  it("a weak password does not use the invitation up", async () => {
    const token = tokenOf((await inviteStaff({ email: "weak@corp.example", role: "staff" }, ORIGIN)).link!);
    expect(await acceptInvitation({ token, name: "Weak", password: "password1234" }, meta)).toMatchObject({ ok: false, field: "password" });
    expect((await acceptInvitation({ token, name: "Weak", password: PASSWORD }, meta)).ok).toBe(true);
  });

  it("refuses the password path in SSO-only mode", async () => {
    const token = tokenOf((await inviteStaff({ email: "sso@corp.example", role: "staff" }, ORIGIN)).link!);
    Object.assign(process.env, { OIDC_ISSUER: "https://idp.corp.example", OIDC_CLIENT_ID: "c", OIDC_CLIENT_SECRET: "s" });
    resetEnvForTests();
    await t.db.insert(consoleSettings).values({ key: "sso-only", value: true });
    try {
      expect(await viewInvitation(token)).toMatchObject({ passwordAllowed: false, ssoName: "single sign-on" });
      expect((await acceptInvitation({ token, name: "Sso", password: PASSWORD }, meta)).ok).toBe(false);
    } finally {
      await t.db.delete(consoleSettings);
      for (const k of ["OIDC_ISSUER", "OIDC_CLIENT_ID", "OIDC_CLIENT_SECRET"]) delete process.env[k];
      resetEnvForTests();
    }
  });

  it("with SMTP, mails the link (not shown to the admin); the token is never logged or audited", async () => {
    process.env.SMTP_URL = smtp.url;
    process.env.SMTP_FROM = "console@corp.example";
    resetEnvForTests();
    const spies = (["info", "warn", "error", "debug", "trace", "fatal"] as const).map((level) => vi.spyOn(log, level));
    try {
      const sent = await inviteStaff({ email: "mailed@corp.example", role: "admin" }, ORIGIN);
      expect(sent).toMatchObject({ delivery: "mail", link: null });
      const mail = smtp.messages.find((m) => m.to.includes("mailed@corp.example"))!;
      const match = /https:\/\/console\.corp\.example\/invitation#([A-Za-z0-9_-]{43})/.exec(mail.raw.replace(/=\r?\n/g, ""));
      expect(match).not.toBeNull();
      const token = match![1]!;
      expect((await acceptInvitation({ token, name: "Mailed Admin", password: PASSWORD }, meta)).ok).toBe(true);
      expect((await acceptInvitation({ token, name: "Mailed Admin", password: PASSWORD }, meta)).ok).toBe(false);

      const logged = JSON.stringify(spies.flatMap((s) => s.mock.calls));
      expect(logged).not.toContain(token);
      const audit = JSON.stringify(await t.db.select().from(auditEvents));
      expect(audit).not.toContain(token);
      expect(audit).toContain("staff.invite");
      expect(audit).toContain("staff.invitation_accept");
    } finally {
      for (const s of spies) s.mockRestore();
    }
  });

  it("a new invitation to the same address replaces the pending one", async () => {
    const first = tokenOf((await inviteStaff({ email: "twice@corp.example", role: "staff" }, ORIGIN)).link!);
    const second = tokenOf((await inviteStaff({ email: "twice@corp.example", role: "admin" }, ORIGIN)).link!);
    expect(await viewInvitation(first)).toBeNull();
    expect(await viewInvitation(second)).toMatchObject({ role: "admin" });
  });

  it("refuses to invite an address that already has an account", async () => {
    await expect(inviteStaff({ email: "boss@corp.example", role: "staff" }, ORIGIN)).rejects.toThrow(/already exists/);
  });

  it("the Staff page's SSO-only switch: admins only, only with SSO configured, audited", async () => {
    await expect(setSsoOnly(true)).rejects.toThrow(/Configure single sign-on/);
    Object.assign(process.env, { OIDC_ISSUER: "https://idp.corp.example", OIDC_CLIENT_ID: "c", OIDC_CLIENT_SECRET: "s" });
    resetEnvForTests();
    try {
      actAs(staffWithRole("support"));
      await expect(setSsoOnly(true)).rejects.toThrow();
      actAs({ ...staffWithRole("admin"), id: bossId, email: "boss@corp.example" });
      expect(await setSsoOnly(true)).toMatchObject({ ssoOnly: true, source: "setting" });
      expect(await setSsoOnly(false)).toMatchObject({ ssoOnly: false });
      const events = await t.db.select().from(auditEvents).where(eq(auditEvents.action, "settings.sso_only")).orderBy(auditEvents.id);
      expect(events.map((e) => e.details)).toEqual([
        { from: false, to: true },
        { from: true, to: false },
      ]);
      process.env.AUTH_MODE = "sso";
      resetEnvForTests();
      await expect(setSsoOnly(false)).rejects.toThrow(/AUTH_MODE=sso/);
    } finally {
      for (const k of ["OIDC_ISSUER", "OIDC_CLIENT_ID", "OIDC_CLIENT_SECRET", "AUTH_MODE"]) delete process.env[k];
      resetEnvForTests();
      await t.db.delete(consoleSettings);
    }
  });

  it("refuses a non-admin inviter", async () => {
    actAs(staffWithRole("support"));
    await expect(inviteStaff({ email: "x@corp.example", role: "admin" }, ORIGIN)).rejects.toThrow();
    expect(await t.db.select().from(staffInvitations).where(eq(staffInvitations.email, "x@corp.example"))).toHaveLength(0);
  });
});
