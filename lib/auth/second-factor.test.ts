// The TOTP second factor against a real database: the secret is encrypted and bound to its row, codes work once,
// ±1 step only, recovery codes are hashed and single-use, wrong codes are throttled, and every outcome is audited.
import { and, eq } from "drizzle-orm";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";

import type { TestDatabase } from "@/test/db";

const { createTestDatabase } = await import("@/test/db");
const { useDatabaseForTests } = await import("@/lib/db/client");
const { auditEvents, signInThrottle, staffRecoveryCodes, staffSecondFactors, staffSessions } = await import("@/lib/db/schema");
const { createStaff } = await import("@/lib/staff/accounts");
const { createSession } = await import("./server-sessions");
const sf = await import("./second-factor");
const { totp, hotp, base32Decode, timeStep } = await import("./totp");
const { decrypt, DecryptionError } = await import("@/lib/crypto");

let t: TestDatabase;
let now = new Date("2026-11-24T10:00:00Z");
const meta = { ip: "198.51.100.8", userAgent: "vitest" };
let n = 0;

async function newPerson(role: "staff" | "support" | "admin" = "support") {
  n += 1;
  const email = `p${n}@corp.example`;
  const { id } = await createStaff(t.db, { email, name: `P${n}`, role, password: "a good long password" });
  const owner = { id, email, role };
  const sessionId = await createSession(id, meta, now);
  return { owner, sessionId };
}

async function enrolled(role: "staff" | "support" | "admin" = "support") {
  const p = await newPerson(role);
  const { secret } = await sf.startEnrolment(p.owner, p.sessionId);
  const result = await sf.confirmEnrolment(p.owner, p.sessionId, totp(secret, now.getTime()), meta, now);
  if (!result.ok) throw new Error("enrolment failed");
  now = new Date(now.getTime() + 30_000); // the next step, so the enrolment code is behind us
  return { ...p, secret, recoveryCodes: result.recoveryCodes, sessionId: await createSession(p.owner.id, meta, now) };
}

const audit = async (staffId: string) =>
  t.db.select().from(auditEvents).where(eq(auditEvents.actorId, staffId)).orderBy(auditEvents.id);
const verifiedAt = async (sessionId: string) =>
  (await t.db.select().from(staffSessions).where(eq(staffSessions.id, sessionId)))[0]!.secondFactorAt;

beforeAll(async () => {
  t = await createTestDatabase();
  useDatabaseForTests(t.db);
});
afterAll(async () => {
  await t?.close();
});
beforeEach(() => {
  now = new Date(now.getTime() + 3_600_000);
});

describe("enrolment", () => {
  it("showing the key writes nothing (a GET never writes); the same key for the session until confirmed, stored encrypted then", async () => {
    const p = await newPerson();
    const first = await sf.startEnrolment(p.owner, p.sessionId);
    expect(base32Decode(first.secret)).toHaveLength(20);
    expect(first.otpauthUri).toContain(`secret=${first.secret}`);
    expect((await sf.startEnrolment(p.owner, p.sessionId)).secret).toBe(first.secret);
    // Issue 14 item 11: the old code stored a pending row here, on the page's GET.
    expect(await t.db.select().from(staffSecondFactors).where(eq(staffSecondFactors.staffId, p.owner.id))).toHaveLength(0);
    const otherSession = await createSession(p.owner.id, meta, now);
    expect((await sf.startEnrolment(p.owner, otherSession)).secret).not.toBe(first.secret);
    expect(await sf.secondFactorStatus(p.owner.id)).toMatchObject({ enrolled: false });
    // A code from another session's key does not confirm this one.
    const wrongKey = (await sf.startEnrolment(p.owner, otherSession)).secret;
    expect(await sf.confirmEnrolment(p.owner, p.sessionId, totp(wrongKey, now.getTime()), meta, now)).toEqual({ ok: false, reason: "invalid" });
    expect(await sf.confirmEnrolment(p.owner, p.sessionId, totp(first.secret, now.getTime()), meta, now)).toMatchObject({ ok: true });
    const [row] = await t.db.select().from(staffSecondFactors).where(eq(staffSecondFactors.staffId, p.owner.id));
    expect(row!.secretEnc).not.toContain(first.secret);
    expect(row!.confirmedAt).toEqual(now);
    expect(decrypt(row!.secretEnc, { table: "staff_second_factors", column: "secret_enc", rowId: p.owner.id })).toBe(first.secret);
    const other = await newPerson();
    expect(() => decrypt(row!.secretEnc, { table: "staff_second_factors", column: "secret_enc", rowId: other.owner.id })).toThrow(DecryptionError);
  });

  it("a wrong code does not confirm; the right one does, verifies the session and returns 10 recovery codes stored as hashes", async () => {
    const p = await newPerson("admin");
    const { secret } = await sf.startEnrolment(p.owner, p.sessionId);
    expect(await sf.confirmEnrolment(p.owner, p.sessionId, "000000", meta, now)).toEqual({ ok: false, reason: "invalid" });
    expect(await verifiedAt(p.sessionId)).toBeNull();
    const result = await sf.confirmEnrolment(p.owner, p.sessionId, totp(secret, now.getTime()), meta, now);
    expect(result.ok).toBe(true);
    const codes = result.ok ? result.recoveryCodes : [];
    expect(codes).toHaveLength(10);
    expect(new Set(codes).size).toBe(10);
    for (const c of codes) expect(c).toMatch(/^[A-Z2-7]{5}-[A-Z2-7]{5}$/);
    expect(await verifiedAt(p.sessionId)).toEqual(now);
    const stored = JSON.stringify(await t.db.select().from(staffRecoveryCodes).where(eq(staffRecoveryCodes.staffId, p.owner.id)));
    for (const c of codes) {
      expect(stored).not.toContain(c);
      expect(stored).not.toContain(c.replace("-", ""));
    }
    expect(await sf.secondFactorStatus(p.owner.id)).toMatchObject({ enrolled: true, recoveryCodesLeft: 10 });
    await expect(sf.startEnrolment(p.owner, p.sessionId)).rejects.toThrow(/already set up/);
    const events = await audit(p.owner.id);
    expect(events.map((e) => [e.action, e.outcome])).toEqual([
      ["auth.second_factor_enrol", "failure"],
      ["auth.second_factor_enrol", "success"],
    ]);
    expect(JSON.stringify(events)).not.toContain(secret);
  });
});

describe("verification", () => {
  it("accepts a code once: the same code, or an older one, is refused afterwards", async () => {
    const p = await enrolled();
    const code = totp(p.secret, now.getTime());
    expect(await sf.verifySecondFactor(p.owner, p.sessionId, code, meta, now)).toEqual({ ok: true, method: "totp" });
    expect(await verifiedAt(p.sessionId)).toEqual(now);
    const again = await createSession(p.owner.id, meta, now);
    expect(await sf.verifySecondFactor(p.owner, again, code, meta, now)).toEqual({ ok: false, reason: "reused" });
    const previous = hotp(base32Decode(p.secret), timeStep(now.getTime()) - 1);
    expect(await sf.verifySecondFactor(p.owner, again, previous, meta, now)).toEqual({ ok: false, reason: "reused" });
    expect(await verifiedAt(again)).toBeNull();
    const later = new Date(now.getTime() + 30_000);
    expect(await sf.verifySecondFactor(p.owner, again, totp(p.secret, later.getTime()), meta, later)).toMatchObject({ ok: true });
  });

  it("accepts one step of clock drift either way, not two", async () => {
    const p = await enrolled();
    now = new Date(now.getTime() + 60_000); // clear of the enrolment's step, so step - 1 is unused
    const step = timeStep(now.getTime());
    const key = base32Decode(p.secret);
    const s1 = await createSession(p.owner.id, meta, now);
    expect(await sf.verifySecondFactor(p.owner, s1, hotp(key, step + 2), meta, now)).toEqual({ ok: false, reason: "invalid" });
    expect(await sf.verifySecondFactor(p.owner, s1, hotp(key, step - 2), meta, now)).toEqual({ ok: false, reason: "invalid" });
    expect(await sf.verifySecondFactor(p.owner, s1, hotp(key, step - 1), meta, now)).toMatchObject({ ok: true });
    const s2 = await createSession(p.owner.id, meta, now);
    expect(await sf.verifySecondFactor(p.owner, s2, hotp(key, step + 1), meta, now)).toMatchObject({ ok: true });
  });

  it("two sessions racing with the same code: exactly one wins", async () => {
    const p = await enrolled();
    const code = totp(p.secret, now.getTime());
    const [a, b] = [await createSession(p.owner.id, meta, now), await createSession(p.owner.id, meta, now)];
    const results = await Promise.all([a, b].map((s) => sf.verifySecondFactor(p.owner, s, code, meta, now)));
    expect(results.filter((r) => r.ok)).toHaveLength(1);
  });

  it("a recovery code works once, in any case and with or without its dash; audited with how many remain", async () => {
    const p = await enrolled();
    const [code] = p.recoveryCodes;
    const typed = code!.replace("-", "").toLowerCase();
    expect(await sf.verifySecondFactor(p.owner, p.sessionId, typed, meta, now)).toEqual({ ok: true, method: "recovery-code" });
    expect(await verifiedAt(p.sessionId)).toEqual(now);
    const again = await createSession(p.owner.id, meta, now);
    expect(await sf.verifySecondFactor(p.owner, again, code!, meta, now)).toEqual({ ok: false, reason: "invalid" });
    expect(await sf.verifySecondFactor(p.owner, again, p.recoveryCodes[1]!, meta, now)).toMatchObject({ ok: true });
    expect(await sf.secondFactorStatus(p.owner.id)).toMatchObject({ recoveryCodesLeft: 8 });
    const used = (await audit(p.owner.id)).filter((e) => e.action === "auth.recovery_code_used");
    expect(used.map((e) => e.details)).toEqual([{ remaining: 9 }, { remaining: 8 }]);
    // Someone else's recovery code is not ours.
    const other = await enrolled();
    expect(await sf.verifySecondFactor(other.owner, other.sessionId, p.recoveryCodes[2]!, meta, now)).toEqual({ ok: false, reason: "invalid" });
  });

  it("five wrong codes in 15 minutes lock verification for that account only, even for the right code; audited", async () => {
    const p = await enrolled();
    const bystander = await enrolled();
    for (let i = 0; i < sf.SECOND_FACTOR_MAX_FAILURES; i++) {
      expect(await sf.verifySecondFactor(p.owner, p.sessionId, "123456", meta, now)).toMatchObject({ ok: false });
    }
    const right = totp(p.secret, now.getTime());
    expect(await sf.verifySecondFactor(p.owner, p.sessionId, right, meta, now)).toEqual({ ok: false, reason: "throttled" });
    expect(await sf.verifySecondFactor(p.owner, p.sessionId, p.recoveryCodes[0]!, meta, now)).toEqual({ ok: false, reason: "throttled" });
    expect(await verifiedAt(p.sessionId)).toBeNull();
    expect(await sf.verifySecondFactor(bystander.owner, bystander.sessionId, totp(bystander.secret, now.getTime()), meta, now)).toMatchObject({ ok: true });
    const later = new Date(now.getTime() + 15 * 60_000 + 1000);
    expect(await sf.verifySecondFactor(p.owner, p.sessionId, totp(p.secret, later.getTime()), meta, later)).toMatchObject({ ok: true });
    expect(await t.db.select().from(signInThrottle).where(and(eq(signInThrottle.key, `second-factor:${p.owner.id}`)))).toHaveLength(0);
    const events = (await audit(p.owner.id)).filter((e) => e.action === "auth.second_factor_verify");
    expect(events.filter((e) => e.outcome === "failure")).toHaveLength(5);
    expect(events.filter((e) => e.outcome === "denied")).toHaveLength(2);
    expect(sf.describeRefusal("throttled")).toMatch(/Too many wrong codes/);
  });

  it("nothing to verify without a confirmed factor; removing one deletes its codes", async () => {
    const p = await newPerson();
    expect(await sf.verifySecondFactor(p.owner, p.sessionId, "123456", meta, now)).toEqual({ ok: false, reason: "not-enrolled" });
    const e = await enrolled();
    expect(await sf.removeSecondFactor(e.owner.id)).toBe(true);
    expect(await sf.isEnrolled(e.owner.id)).toBe(false);
    expect(await t.db.select().from(staffRecoveryCodes).where(eq(staffRecoveryCodes.staffId, e.owner.id))).toHaveLength(0);
    expect((await sf.startEnrolment(e.owner, e.sessionId)).secret).not.toBe(e.secret);
  });
});
