import { and, eq } from "drizzle-orm";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";

import { useDatabaseForTests } from "@/lib/db/client";
import { auditEvents, signInThrottle, staff } from "@/lib/db/schema";
import { resetEnvForTests } from "@/lib/env";
import { ensureDemoAccounts, createStaff } from "@/lib/staff/accounts";
import { createTestDatabase, type TestDatabase } from "@/test/db";

import { verifySignIn } from "./sign-in";
import { MAX_FAILURES_PER_ACCOUNT } from "./throttle";

let t: TestDatabase;
const meta = { ip: "203.0.113.7", userAgent: "vitest" };

beforeAll(async () => {
  t = await createTestDatabase();
  useDatabaseForTests(t.db);
  await createStaff(t.db, { email: "alice@corp.example", name: "Alice", role: "support", password: "correct horse battery" });
  await createStaff(t.db, { email: "bob@corp.example", name: "Bob", role: "staff", password: "another good password" });
  await ensureDemoAccounts(t.db, "demo-password");
});
afterAll(async () => {
  await t?.close();
});
beforeEach(async () => {
  await t.db.delete(signInThrottle);
  delete process.env.BASIQ_API_KEY;
  resetEnvForTests();
});

describe("verifySignIn", () => {
  it("accepts the right password and audits the success", async () => {
    const result = await verifySignIn({ email: "ALICE@corp.example ", password: "correct horse battery" }, meta);
    expect(result.ok).toBe(true);
    const events = await t.db
      .select()
      .from(auditEvents)
      .where(and(eq(auditEvents.action, "auth.sign_in"), eq(auditEvents.actorEmail, "alice@corp.example")));
    expect(events.some((e) => e.outcome === "success" && e.ip === meta.ip)).toBe(true);
  });

  it("audits a password-only sign-in that still owes a second factor as pending, not as a success", async () => {
    const result = await verifySignIn({ email: "admin@example.com", password: "demo-password" }, meta);
    expect(result.ok).toBe(true);
    const events = await t.db
      .select()
      .from(auditEvents)
      .where(and(eq(auditEvents.action, "auth.sign_in"), eq(auditEvents.actorEmail, "admin@example.com")));
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({ outcome: "requested", details: { secondFactor: "pending", step: "enrol" } });
  });

  it("answers a wrong password and an unknown account identically, and audits both", async () => {
    const wrong = await verifySignIn({ email: "alice@corp.example", password: "nope" }, meta);
    const unknown = await verifySignIn({ email: "nobody@corp.example", password: "nope" }, meta);
    expect(wrong).toEqual({ ok: false, reason: "invalid" });
    expect(unknown).toEqual(wrong);
    const failures = await t.db.select().from(auditEvents).where(eq(auditEvents.outcome, "failure"));
    expect(failures.map((f) => f.actorEmail)).toEqual(expect.arrayContaining(["alice@corp.example", "nobody@corp.example"]));
  });

  it("throttles an account after repeated failures without affecting other accounts", async () => {
    for (let i = 0; i < MAX_FAILURES_PER_ACCOUNT; i++) {
      await verifySignIn({ email: "alice@corp.example", password: `bad-${i}` }, { ...meta, ip: `198.51.100.${i}` });
    }
    // even the right password is refused while throttled
    expect(await verifySignIn({ email: "alice@corp.example", password: "correct horse battery" }, meta)).toEqual({
      ok: false,
      reason: "throttled",
    });
    expect((await verifySignIn({ email: "bob@corp.example", password: "another good password" }, meta)).ok).toBe(true);
  });

  it("throttles unknown accounts the same way (no account enumeration)", async () => {
    for (let i = 0; i < MAX_FAILURES_PER_ACCOUNT; i++) {
      await verifySignIn({ email: "ghost@corp.example", password: "x" }, { ...meta, ip: `192.0.2.${i}` });
    }
    expect(await verifySignIn({ email: "ghost@corp.example", password: "x" }, meta)).toEqual({ ok: false, reason: "throttled" });
  });

  it("refuses disabled accounts", async () => {
    await t.db.update(staff).set({ status: "disabled" }).where(eq(staff.email, "bob@corp.example"));
    expect(await verifySignIn({ email: "bob@corp.example", password: "another good password" }, meta)).toEqual({
      ok: false,
      reason: "invalid",
    });
    await t.db.update(staff).set({ status: "active" }).where(eq(staff.email, "bob@corp.example"));
  });

  it("lets demo accounts in only in sandbox mode", async () => {
    expect((await verifySignIn({ email: "admin@example.com", password: "demo-password" }, meta)).ok).toBe(true);
    process.env.BASIQ_API_KEY = "a-real-key";
    resetEnvForTests();
    expect(await verifySignIn({ email: "admin@example.com", password: "demo-password" }, meta)).toEqual({
      ok: false,
      reason: "invalid",
    });
    const [refusal] = await t.db
      .select()
      .from(auditEvents)
      .where(and(eq(auditEvents.actorEmail, "admin@example.com"), eq(auditEvents.outcome, "failure")));
    expect(refusal?.details).toEqual({ reason: "demo-account-in-live-mode" });
  });

  it("rejects malformed input without touching the throttle", async () => {
    expect(await verifySignIn({ email: 42, password: null }, meta)).toEqual({ ok: false, reason: "invalid" });
    expect(await t.db.select().from(signInThrottle)).toHaveLength(0);
  });
});
