// Staff management against a real database: admin-only, audited without passwords, the last active admin can
// never be removed (not even by two admins at once), and a disabled or demoted account loses its session at once.
import { and, eq, ne } from "drizzle-orm";
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";

import type { SessionIdentity } from "@/lib/auth/identity";
import type * as Session from "@/lib/auth/session";
import type { CurrentStaff } from "@/lib/auth/session";
import type { TestDatabase } from "@/test/db";

let caller: CurrentStaff | null = null;
vi.mock("@/lib/auth/session", async () => {
  const { ForbiddenError, UnauthenticatedError } = await import("@/lib/errors");
  const { can } = await import("@/lib/auth/policy");
  return {
    // Reads `caller` synchronously, so concurrent calls started one after the other act as different people.
    requirePermission: async (permission: Parameters<typeof can>[1]) => {
      const who = caller;
      if (!who) throw new UnauthenticatedError();
      if (!can(who.role, permission)) throw new ForbiddenError(permission);
      return who;
    },
    requireStaff: async () => {
      if (!caller) throw new UnauthenticatedError();
      return caller;
    },
    callerFor: async () => {
      if (!caller) throw new UnauthenticatedError();
      return caller;
    },
    getCurrentStaff: async () => caller,
  };
});
// A same-origin request from the staff page (defineAction requires one; lib/actions/define-action.test.ts).
vi.mock("@/lib/security/origin", () => ({ isSameOriginRequest: async () => true }));
// The real session module (for the "next request" checks) reads the identity from here.
let identity: SessionIdentity | null = null;
vi.mock("@/lib/auth/identity", () => ({ getSessionIdentity: async () => identity }));
vi.mock("next/cache", () => ({ revalidatePath: () => {} }));

const { createTestDatabase } = await import("@/test/db");
const { useDatabaseForTests } = await import("@/lib/db/client");
const { auditEvents, signInThrottle, staff } = await import("@/lib/db/schema");
const { createStaff, ensureDemoAccounts, DuplicateStaffEmailError } = await import("@/lib/staff/accounts");
const { verifySignIn } = await import("@/lib/auth/sign-in");
const { createSession, markSecondFactorVerified } = await import("@/lib/auth/server-sessions");
const { ForbiddenError, NotFoundError, UnauthenticatedError, UserFacingError } = await import("@/lib/errors");
const { listStaff, createStaffMember, changeStaffRole, setStaffStatus, resetStaffPassword, LastActiveAdminError } = await import("./staff");
const actions = await import("@/app/(console)/staff/actions");
const realSession = await vi.importActual<typeof Session>("@/lib/auth/session");

let t: TestDatabase;
const ids: Record<"admin" | "support" | "staff", string> = { admin: "", support: "", staff: "" };
const meta = { ip: "198.51.100.9", userAgent: "vitest" };

function as(role: CurrentStaff["role"], id = ids[role]): CurrentStaff {
  return { id, email: `${role}@corp.example`, name: role, role, signedInAt: Date.now() };
}

async function staffRow(id: string) {
  const [row] = await t.db.select().from(staff).where(eq(staff.id, id));
  return row!;
}

/** As if the person had replaced their generated one-time password with their own (lib/auth/password-change.test.ts). */
async function choseOwnPassword(id: string) {
  await t.db.update(staff).set({ passwordChangeRequired: false }).where(eq(staff.id, id));
}

async function auditOf(action: string) {
  return t.db.select().from(auditEvents).where(eq(auditEvents.action, action)).orderBy(auditEvents.id);
}

/** Everything a staff action could change: the staff table and the audit trail. */
async function snapshot() {
  return {
    staff: await t.db.select().from(staff).orderBy(staff.email),
    audit: (await t.db.select({ id: auditEvents.id }).from(auditEvents)).length,
  };
}

beforeAll(async () => {
  t = await createTestDatabase();
  useDatabaseForTests(t.db);
  for (const role of ["admin", "support", "staff"] as const) {
    ({ id: ids[role] } = await createStaff(t.db, { email: `${role}@corp.example`, name: role, role, password: "a good long password" }));
  }
});
afterAll(async () => {
  await t?.close();
});
beforeEach(async () => {
  caller = as("admin");
  identity = null;
  // Start every test with exactly one active admin: the caller.
  await t.db.update(staff).set({ role: "admin", status: "active" }).where(eq(staff.id, ids.admin));
  await t.db.update(staff).set({ role: "support" }).where(and(eq(staff.role, "admin"), ne(staff.id, ids.admin)));
});

describe("who may manage staff", () => {
  for (const role of ["support", "staff"] as const) {
    it(`refuses every staff function to ${role}, changing nothing`, async () => {
      const before = await snapshot();
      caller = as(role);
      const calls = [
        () => listStaff(),
        () => createStaffMember({ name: "Eve", email: "eve@corp.example", role: "admin" }),
        () => changeStaffRole({ staffId: ids[role], role: "admin" }),
        () => changeStaffRole({ staffId: ids.admin, role: "staff" }),
        () => setStaffStatus({ staffId: ids.admin, status: "disabled" }),
        () => setStaffStatus({ staffId: ids[role], status: "active" }),
        () => resetStaffPassword({ staffId: ids.admin }),
      ];
      for (const call of calls) await expect(call()).rejects.toBeInstanceOf(ForbiddenError);
      expect(await snapshot()).toEqual(before);
    });
  }

  it("refuses anonymous callers", async () => {
    const before = await snapshot();
    caller = null;
    await expect(listStaff()).rejects.toBeInstanceOf(UnauthenticatedError);
    await expect(resetStaffPassword({ staffId: ids.admin })).rejects.toBeInstanceOf(UnauthenticatedError);
    expect(await snapshot()).toEqual(before);
  });

  it("refuses a forged action call by support, and records the attempt as denied", async () => {
    caller = as("support");
    const result = await actions.changeStaffRoleAction({ staffId: ids.support, role: "admin" });
    expect(result).toEqual({ ok: false, message: "You do not have permission to do that." });
    expect((await staffRow(ids.support)).role).toBe("support");
    const [denied] = (await auditOf("staff.role_change")).filter((e) => e.outcome === "denied" && e.actorId === ids.support);
    expect(denied).toMatchObject({ actorRole: "support", details: { reason: "forbidden", staffId: ids.support } });
  });
});

describe("create", () => {
  it("creates an account with a one-time password that signs in; audited without the password", async () => {
    const { staff: created, oneTimePassword } = await createStaffMember({ name: " Nina New ", email: "Nina@Corp.example ", role: "support" });
    expect(created).toMatchObject({ email: "nina@corp.example", name: "Nina New", role: "support", status: "active", isDemo: false });
    expect(oneTimePassword).toMatch(/^[A-Za-z0-9_-]{20,}$/);
    expect(await verifySignIn({ email: "nina@corp.example", password: oneTimePassword }, meta)).toMatchObject({ ok: true });
    const event = (await auditOf("staff.create")).find((e) => (e.details as { staffId?: string }).staffId === created.id);
    expect(event).toMatchObject({ actorId: ids.admin, outcome: "success", details: { staffId: created.id, email: "nina@corp.example", role: "support" } });
    const row = await staffRow(created.id);
    const everything = JSON.stringify(await t.db.select().from(auditEvents));
    expect(everything).not.toContain(oneTimePassword!);
    expect(everything).not.toContain(row.passwordHash!);
    expect(JSON.stringify(await listStaff())).not.toMatch(/passwordHash|scrypt\$/);
  });

  it("takes a typed password of 12 characters or more, and shows none back", async () => {
    const { staff: created, oneTimePassword } = await createStaffMember({ name: "Tom", email: "tom@corp.example", role: "staff", password: "twelve chars" });
    expect(oneTimePassword).toBeNull();
    expect(await verifySignIn({ email: "tom@corp.example", password: "twelve chars" }, meta)).toMatchObject({ ok: true });
    expect(JSON.stringify(await auditOf("staff.create"))).not.toContain("twelve chars");
    expect(created.role).toBe("staff");
  });

  it("refuses a taken e-mail and bad input, changing nothing", async () => {
    const before = await snapshot();
    await expect(createStaffMember({ name: "Dup", email: "SUPPORT@corp.example", role: "staff" })).rejects.toBeInstanceOf(DuplicateStaffEmailError);
    await expect(createStaffMember({ name: "Short", email: "short@corp.example", role: "staff", password: "too short" })).rejects.toBeInstanceOf(UserFacingError);
    await expect(createStaffMember({ name: "Root", email: "root@corp.example", role: "root" })).rejects.toBeInstanceOf(UserFacingError);
    expect(await snapshot()).toEqual(before);
  });

  it("answers the form with field errors through the action, changing nothing", async () => {
    const before = await snapshot();
    const bad = await actions.createStaffAction({ name: "", email: "not-an-email", role: "root", password: "short" });
    expect(bad.ok).toBe(false);
    expect(!bad.ok && Object.keys(bad.fieldErrors ?? {}).sort()).toEqual(["email", "name", "password", "role"]);
    const taken = await actions.createStaffAction({ name: "Dup", email: "staff@corp.example", role: "staff", password: "" });
    expect(taken).toMatchObject({ ok: false, fieldErrors: { email: [expect.stringMatching(/already used/)] } });
    for (const input of [{ staffId: "not-a-uuid", role: "admin" }, { staffId: ids.staff, role: "owner" }, {}]) {
      const r = await actions.changeStaffRoleAction(input);
      expect(r.ok).toBe(false);
      expect(!r.ok && r.fieldErrors).toBeTruthy();
    }
    expect((await actions.setStaffStatusAction({ staffId: ids.staff, status: "deleted" })).ok).toBe(false);
    expect((await actions.resetStaffPasswordAction({ staffId: "'; drop table staff; --" })).ok).toBe(false);
    expect(await snapshot()).toEqual(before);
  });
});

describe("role, status and password", () => {
  it("changes a role, audited with from and to; the same role again writes nothing", async () => {
    const { staff: person } = await createStaffMember({ name: "Rita", email: "rita@corp.example", role: "staff" });
    const result = await changeStaffRole({ staffId: person.id, role: "support" });
    expect(result).toMatchObject({ changed: true, staff: { role: "support" } });
    expect((await staffRow(person.id)).role).toBe("support");
    const events = (await auditOf("staff.role_change")).filter((e) => e.outcome === "success");
    expect(events.at(-1)).toMatchObject({ details: { staffId: person.id, email: "rita@corp.example", from: "staff", to: "support" } });
    const count = events.length;
    expect(await changeStaffRole({ staffId: person.id, role: "support" })).toMatchObject({ changed: false });
    expect((await auditOf("staff.role_change")).filter((e) => e.outcome === "success")).toHaveLength(count);
  });

  it("answers NotFound for an unknown staff id", async () => {
    const unknown = "11111111-1111-4111-8111-111111111111";
    await expect(changeStaffRole({ staffId: unknown, role: "staff" })).rejects.toBeInstanceOf(NotFoundError);
    await expect(setStaffStatus({ staffId: unknown, status: "disabled" })).rejects.toBeInstanceOf(NotFoundError);
    await expect(resetStaffPassword({ staffId: unknown })).rejects.toBeInstanceOf(NotFoundError);
  });

  it("disables and enables, audited; a disabled account's session stops working on its next request, for good", async () => {
    const { staff: person, oneTimePassword } = await createStaffMember({ name: "Dan", email: "dan@corp.example", role: "support" });
    await choseOwnPassword(person.id);
    identity = { staffId: person.id, sessionId: await createSession(person.id, meta) };
    expect(await realSession.requirePermission("jobs.read")).toMatchObject({ id: person.id });

    expect(await setStaffStatus({ staffId: person.id, status: "disabled" })).toMatchObject({ changed: true, staff: { status: "disabled" } });
    expect(await realSession.getCurrentStaff()).toBeNull();
    await expect(realSession.requirePermission("jobs.read")).rejects.toBeInstanceOf(UnauthenticatedError);
    expect(await verifySignIn({ email: person.email, password: oneTimePassword }, meta)).toMatchObject({ ok: false });

    expect(await setStaffStatus({ staffId: person.id, status: "active" })).toMatchObject({ changed: true });
    // Disabling revoked the session: enabling the account again does not bring it back; a new sign-in works.
    await expect(realSession.requirePermission("jobs.read")).rejects.toBeInstanceOf(UnauthenticatedError);
    identity = { staffId: person.id, sessionId: await createSession(person.id, meta) };
    expect(await realSession.requirePermission("jobs.read")).toMatchObject({ id: person.id });
    expect(await setStaffStatus({ staffId: person.id, status: "active" })).toMatchObject({ changed: false });

    const [disabled] = (await auditOf("staff.disable")).filter((e) => e.outcome === "success");
    const enabled = await auditOf("staff.enable");
    expect(disabled).toMatchObject({ outcome: "success", details: { staffId: person.id, email: "dan@corp.example", sessionsEnded: 1 } });
    expect(enabled).toHaveLength(1);
  });

  it("a demoted account loses the permission on its next request", async () => {
    const { staff: person } = await createStaffMember({ name: "Ann", email: "ann@corp.example", role: "admin" });
    await choseOwnPassword(person.id);
    identity = { staffId: person.id, sessionId: await createSession(person.id, meta) };
    await markSecondFactorVerified(identity.sessionId); // as if Ann had enrolled: admins need it
    await expect(realSession.requirePermission("staff.manage")).resolves.toMatchObject({ role: "admin" });
    await changeStaffRole({ staffId: person.id, role: "staff" });
    await expect(realSession.requirePermission("staff.manage")).rejects.toBeInstanceOf(ForbiddenError);
  });

  it("resets a password: the old one stops working, the new one works and lifts a lockout; audited without it", async () => {
    const { staff: person } = await createStaffMember({ name: "Pat", email: "pat@corp.example", role: "staff", password: "the first password" });
    await t.db.insert(signInThrottle).values({ key: "account:pat@corp.example", failures: 10 });
    const { oneTimePassword } = await resetStaffPassword({ staffId: person.id });
    expect(oneTimePassword).toMatch(/^[A-Za-z0-9_-]{20,}$/);
    expect(await verifySignIn({ email: person.email, password: "the first password" }, meta)).toMatchObject({ ok: false });
    expect(await verifySignIn({ email: person.email, password: oneTimePassword }, meta)).toMatchObject({ ok: true });
    const event = (await auditOf("staff.password_reset")).at(-1);
    expect(event).toMatchObject({ outcome: "success", details: { staffId: person.id, email: person.email } });
    expect(JSON.stringify(event)).not.toContain(oneTimePassword!);
    expect(JSON.stringify(event)).not.toContain((await staffRow(person.id)).passwordHash!);
  });

  it("manages demo accounts like any other", async () => {
    await ensureDemoAccounts(t.db, "demo-password");
    const demo = (await listStaff()).find((p) => p.email === "staff@example.com")!;
    expect(demo.isDemo).toBe(true);
    await setStaffStatus({ staffId: demo.id, status: "disabled" });
    await changeStaffRole({ staffId: demo.id, role: "support" });
    expect(await staffRow(demo.id)).toMatchObject({ status: "disabled", role: "support" });
    await setStaffStatus({ staffId: demo.id, status: "active" });
    await changeStaffRole({ staffId: demo.id, role: "staff" });
  });
});

describe("the last active admin", () => {
  it("cannot demote or disable themselves; refusals are audited and change nothing", async () => {
    const before = await snapshot();
    const demote = changeStaffRole({ staffId: ids.admin, role: "support" });
    await expect(demote).rejects.toBeInstanceOf(LastActiveAdminError);
    await expect(changeStaffRole({ staffId: ids.admin, role: "staff" })).rejects.toThrow(/last active admin/);
    await expect(setStaffStatus({ staffId: ids.admin, status: "disabled" })).rejects.toThrow(/You are the last active admin/);
    const after = await snapshot();
    expect(after.staff).toEqual(before.staff);
    const denied = (await t.db.select().from(auditEvents).where(eq(auditEvents.outcome, "denied"))).filter(
      (e) => (e.details as { reason?: string } | null)?.reason === "last-active-admin",
    );
    expect(denied.map((e) => e.action)).toEqual(expect.arrayContaining(["staff.role_change", "staff.disable"]));
    expect(denied.at(-1)).toMatchObject({ details: { staffId: ids.admin, email: "admin@corp.example" } });
  });

  it("tells the admin through the action, in words they can act on", async () => {
    const r = await actions.setStaffStatusAction({ staffId: ids.admin, status: "disabled" });
    expect(r).toEqual({ ok: false, message: expect.stringMatching(/^You are the last active admin: make someone else an admin/) });
  });

  it("with two admins: demoting the other is allowed once, then the last one is protected", async () => {
    const { staff: second } = await createStaffMember({ name: "Bea", email: "bea@corp.example", role: "admin" });
    expect(await changeStaffRole({ staffId: second.id, role: "support" })).toMatchObject({ changed: true });
    await expect(changeStaffRole({ staffId: ids.admin, role: "support" })).rejects.toBeInstanceOf(LastActiveAdminError);

    // The other way round: the second admin (re-promoted) demotes the first; then nobody can demote the second.
    await changeStaffRole({ staffId: second.id, role: "admin" });
    caller = { ...as("admin", second.id), email: second.email };
    expect(await changeStaffRole({ staffId: ids.admin, role: "staff" })).toMatchObject({ changed: true });
    await expect(changeStaffRole({ staffId: second.id, role: "staff" })).rejects.toBeInstanceOf(LastActiveAdminError);
    await expect(setStaffStatus({ staffId: second.id, status: "disabled" })).rejects.toBeInstanceOf(LastActiveAdminError);
    // A caller who is not the target sees the target named (e.g. a request that raced another admin's change).
    caller = as("admin", "22222222-2222-4222-8222-222222222222");
    await expect(setStaffStatus({ staffId: second.id, status: "disabled" })).rejects.toThrow(/bea@corp\.example is the last active admin/);
    expect(await staffRow(second.id)).toMatchObject({ role: "admin", status: "active" });
  });

  it("a disabled admin does not count, and enabling one again is always allowed", async () => {
    const { staff: other } = await createStaffMember({ name: "Ola", email: "ola@corp.example", role: "admin" });
    await setStaffStatus({ staffId: other.id, status: "disabled" });
    await expect(setStaffStatus({ staffId: ids.admin, status: "disabled" })).rejects.toBeInstanceOf(LastActiveAdminError);
    // demoting a disabled admin removes no active admin
    expect(await changeStaffRole({ staffId: other.id, role: "staff" })).toMatchObject({ changed: true });
    expect(await setStaffStatus({ staffId: other.id, status: "active" })).toMatchObject({ changed: true });
  });

  it("two admins demoting each other at the same moment: exactly one succeeds", async () => {
    const { staff: second } = await createStaffMember({ name: "Cy", email: "cy@corp.example", role: "admin" });
    caller = as("admin");
    const first = changeStaffRole({ staffId: second.id, role: "support" });
    caller = { ...as("admin", second.id), email: second.email };
    const other = setStaffStatus({ staffId: ids.admin, status: "disabled" });
    const results = await Promise.allSettled([first, other]);
    expect(results.filter((r) => r.status === "fulfilled")).toHaveLength(1);
    const [rejected] = results.filter((r): r is PromiseRejectedResult => r.status === "rejected");
    expect(rejected?.reason).toBeInstanceOf(LastActiveAdminError);
    const activeAdmins = await t.db
      .select()
      .from(staff)
      .where(and(eq(staff.role, "admin"), eq(staff.status, "active")));
    expect(activeAdmins).toHaveLength(1);
  });
});
