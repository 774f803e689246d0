// Issue 14 items 4 and 5, in the one action wrapper (lib/actions/define-action.ts):
// 4. Nothing anonymous writes to the append-only audit table (an unauthenticated purge call wrote
//    `purge.refused`: anyone could add rows); a refusal of a signed-in caller is audited WITH its actor (a purge
//    refused for staff recorded no actor). Anonymous refusals are counted and logged instead.
// 5. Every state-changing action requires a same-origin Origin (only purge did; staff changes ran with an admin
//    cookie and no Origin). A refused origin is a clear 403 refusal, audited when signed in.
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";

import type { CurrentStaff } from "@/lib/auth/session";
import type { TestDatabase } from "@/test/db";
import { actAs } from "@/test/session-mock";

let requestHeaders = new Headers();
vi.mock("@/lib/auth/session", async () => (await import("@/test/session-mock")).mockedSessionModule());
vi.mock("next/headers", () => ({
  headers: async () => requestHeaders,
  cookies: async () => ({ get: () => undefined, getAll: () => [], has: () => false }),
}));
vi.mock("next/cache", () => ({ revalidatePath: () => {}, revalidateTag: () => {} }));

const { createTestDatabase } = await import("@/test/db");
const { useDatabaseForTests } = await import("@/lib/db/client");
const { auditEvents, staff } = await import("@/lib/db/schema");
const { createStaff } = await import("@/lib/staff/accounts");
const { purgeConnectionAction } = await import("@/app/(console)/users/[userId]/connections/[connectionId]/actions");
const staffActions = await import("@/app/(console)/staff/actions");
const refusals = await import("@/lib/security/refusals");

let t: TestDatabase;
const who: Record<"admin" | "support" | "staff", CurrentStaff> = {} as never;
const purgeInput = { userId: "u-1", connectionId: "c-1", confirm: "c-1" };

const sameOrigin = () => new Headers({ origin: "http://console.test", host: "console.test" });
const allAudit = () => t.db.select().from(auditEvents);

beforeAll(async () => {
  t = await createTestDatabase();
  useDatabaseForTests(t.db);
  for (const role of ["admin", "support", "staff"] as const) {
    const { id } = await createStaff(t.db, { email: `${role}@corp.example`, name: role, role, password: "a good long password" });
    who[role] = { id, email: `${role}@corp.example`, name: role, role, signedInAt: Date.now() };
  }
});
afterAll(async () => {
  await t?.close();
});
beforeEach(() => {
  requestHeaders = sameOrigin();
  actAs(null);
});

describe("item 4: refusals in the audit table only with an actor", () => {
  it("an anonymous purge call writes nothing to the audit table; it is counted instead", async () => {
    const before = (await allAudit()).length;
    const counted = refusals.anonymousRefusalCount();
    for (let i = 0; i < 50; i++) {
      const r = await purgeConnectionAction({ ...purgeInput, userId: `forged-${i}` });
      expect(r).toMatchObject({ ok: false, message: "Your session has ended. Sign in again." });
    }
    expect(await purgeConnectionAction("garbage")).toMatchObject({ ok: false });
    expect((await allAudit()).length).toBe(before);
    expect(refusals.anonymousRefusalCount()).toBe(counted + 51);
  });

  it("a purge refused for staff and support is audited with the caller as actor", async () => {
    for (const role of ["staff", "support"] as const) {
      actAs(who[role]);
      expect(await purgeConnectionAction(purgeInput)).toMatchObject({ ok: false });
      const rows = (await allAudit()).filter((e) => e.action === "purge.refused" && e.actorId === who[role].id);
      expect(rows).toHaveLength(1);
      expect(rows[0]).toMatchObject({ actorEmail: who[role].email, actorRole: role, outcome: "denied", details: { reason: "forbidden" } });
    }
    expect((await allAudit()).filter((e) => e.action === "purge.refused" && e.actorId === null)).toHaveLength(0);
  });
});

describe("item 5: every action requires a same-origin Origin", () => {
  const foreign: Array<[string, Headers]> = [
    ["no Origin", new Headers({ host: "console.test" })],
    ["Origin: null", new Headers({ origin: "null", host: "console.test" })],
    ["a foreign Origin", new Headers({ origin: "https://evil.example", host: "console.test" })],
    ["a look-alike Origin", new Headers({ origin: "http://console.test.evil.example", host: "console.test" })],
    ["a malformed Origin", new Headers({ origin: "http://%zz", host: "console.test" })],
  ];

  it.each(foreign)("an admin's staff change with %s is refused (403), changes nothing, and is audited with the actor", async (_label, h) => {
    actAs(who.admin);
    requestHeaders = h;
    const auditBefore = (await allAudit()).length;
    const result = await staffActions.changeStaffRoleAction({ staffId: who.staff.id, role: "admin" });
    expect(result).toMatchObject({ ok: false, status: 403 });
    expect(result.ok ? "" : result.message).toMatch(/did not come from the console/);
    const [row] = await t.db.select({ role: staff.role }).from(staff).where(eq(staff.id, who.staff.id));
    expect(row?.role).toBe("staff");
    const added = (await allAudit()).slice(auditBefore);
    expect(added).toHaveLength(1);
    expect(added[0]).toMatchObject({ actorId: who.admin.id, outcome: "denied", action: "staff.role_change", details: { reason: "origin" } });
  });

  it("every staff action and purge refuse a missing Origin; an anonymous one is not audited", async () => {
    requestHeaders = new Headers({ host: "console.test" });
    actAs(who.admin);
    const calls = [
      () => staffActions.createStaffAction({ name: "Eve", email: "eve@corp.example", role: "admin" }),
      () => staffActions.setStaffStatusAction({ staffId: who.staff.id, status: "disabled" }),
      () => staffActions.resetStaffPasswordAction({ staffId: who.staff.id }),
      () => staffActions.resetStaffSecondFactorAction({ staffId: who.staff.id }),
      () => purgeConnectionAction(purgeInput),
    ];
    for (const call of calls) expect(await call()).toMatchObject({ ok: false, status: 403 });
    expect(await t.db.select().from(staff).where(eq(staff.email, "eve@corp.example"))).toHaveLength(0);
    actAs(null);
    const before = (await allAudit()).length;
    for (const call of calls) expect(await call()).toMatchObject({ ok: false });
    expect((await allAudit()).length).toBe(before);
  });

  it("the same call from the console's own origin goes through", async () => {
    actAs(who.admin);
    const result = await staffActions.changeStaffRoleAction({ staffId: who.support.id, role: "staff" });
    expect(result).toMatchObject({ ok: true });
  });
});
