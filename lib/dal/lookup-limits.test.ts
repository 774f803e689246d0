// Issue 14 item 6: masking is only as strong as the search beside it. Exact e-mail/mobile searches are limited
// per person (30 a minute, counted atomically) and audited with a hash of the query; mobiles are masked down to
// `04•• ••• •59`; support's reveals have a daily quota (admins exempt). Runs on PGlite, or on a fresh database
// of DATABASE_URL's server when set (then the simultaneous requests really race on PostgreSQL).
import { and, eq } from "drizzle-orm";
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";

import type { TestDatabase } from "@/test/db";
import { actAs, staffWithRole } from "@/test/session-mock";

vi.mock("@/lib/auth/session", async () => (await import("@/test/session-mock")).mockedSessionModule());

const { createTestDatabase } = await import("@/test/db");
const { startSandbox } = await import("@/sandbox/server");
const { resetEnvForTests } = await import("@/lib/env");
const { basiq, resetBasiqClientForTests } = await import("@/lib/basiq");
const { useDatabaseForTests } = await import("@/lib/db/client");
const { auditEvents, securityQuotas } = await import("@/lib/db/schema");
const { syncDirectoryUser } = await import("@/lib/directory/sync");
const { maskMobile } = await import("@/lib/directory/mask");
const { consumeQuota, EXACT_LOOKUPS_PER_MINUTE } = await import("@/lib/security/quota");
const { listUsers, revealUserField } = await import("./users");
const { UserFacingError } = await import("@/lib/errors");

let t: TestDatabase;
let sandbox: Awaited<ReturnType<typeof startSandbox>>;
let withMobile: { id: string; mobile: string; email: string };

const staffA = staffWithRole("staff", "00000000-0000-4000-8000-00000000000a");
const staffB = staffWithRole("staff", "00000000-0000-4000-8000-00000000000b");
const support = staffWithRole("support", "00000000-0000-4000-8000-00000000000c");
const admin = staffWithRole("admin", "00000000-0000-4000-8000-00000000000d");

beforeAll(async () => {
  sandbox = await startSandbox({ port: 0, users: 20 });
  process.env.BASIQ_API_URL = sandbox.url;
  delete process.env.BASIQ_API_KEY;
  resetEnvForTests();
  resetBasiqClientForTests();
  t = await createTestDatabase();
  useDatabaseForTests(t.db);
  const ids = ((await (await fetch(`${sandbox.url}/__sandbox/users?limit=20`)).json()) as { ids: string[] }).ids;
  for (const id of ids) await syncDirectoryUser(t.db, basiq(), id, "seed");
  for (const id of ids) {
    const u = await basiq().getUser(id);
    if (u.mobile && u.email) {
      withMobile = { id, mobile: u.mobile, email: u.email };
      break;
    }
  }
  expect(withMobile).toBeDefined();
});
afterAll(async () => {
  await t?.close();
  await sandbox?.close();
});
beforeEach(async () => {
  await t.db.delete(securityQuotas);
});

const lookups = (actorId: string) =>
  t.db.select().from(auditEvents).where(and(eq(auditEvents.action, "users.lookup"), eq(auditEvents.actorId, actorId)));

describe("exact-contact search", () => {
  it("40 simultaneous exact-mobile searches by one staff member: 30 answered, 10 refused with a message, all 40 audited without the number", async () => {
    actAs(staffA);
    const national = withMobile.mobile.replace(/^\+61/, "0");
    const results = await Promise.all(Array.from({ length: 40 }, () => listUsers({ q: national })));
    const answered = results.filter((r) => r.refusal === null);
    const refused = results.filter((r) => r.refusal !== null);
    expect(answered).toHaveLength(EXACT_LOOKUPS_PER_MINUTE.limit);
    expect(answered.every((r) => r.rows.some((row) => row.id === withMobile.id))).toBe(true);
    expect(refused).toHaveLength(10);
    expect(refused[0]!.refusal).toMatch(/^Too many lookups: at most 30 exact e-mail or mobile searches a minute\. Try again in \d+ s\.$/);
    expect(refused.every((r) => r.rows.length === 0)).toBe(true);

    const events = await lookups(staffA.id);
    expect(events).toHaveLength(40);
    expect(events.filter((e) => e.outcome === "success")).toHaveLength(30);
    expect(events.filter((e) => e.outcome === "denied")).toHaveLength(10);
    const digits = withMobile.mobile.replace(/\D/g, "");
    for (const e of events) {
      expect(e.details).toMatchObject({ kind: "mobile", queryHash: expect.stringMatching(/^[0-9a-f]{16}$/) });
      expect(JSON.stringify(e)).not.toContain(digits.slice(-8));
    }
    // The same number in another format is the same hash (investigators can group the lookups of one number).
    expect(new Set(events.map((e) => (e.details as { queryHash: string }).queryHash)).size).toBe(1);

    // Another staff member is not affected; name and id searches are not counted.
    actAs(staffB);
    expect((await listUsers({ q: withMobile.mobile })).refusal).toBeNull();
    actAs(staffA);
    expect((await listUsers({ q: withMobile.id.slice(0, 6) })).refusal).toBeNull();
    expect(await lookups(staffA.id)).toHaveLength(40);
  });

  it("audits an exact e-mail lookup with its kind and hash, never the address", async () => {
    actAs(staffB);
    const result = await listUsers({ q: withMobile.email.toUpperCase() });
    expect(result.rows.map((r) => r.id)).toContain(withMobile.id);
    const events = await lookups(staffB.id);
    const last = events.find((e) => (e.details as { kind: string }).kind === "email");
    expect(last).toBeDefined();
    expect(JSON.stringify(last)).not.toContain(withMobile.email.split("@")[0]);
  });

  it("windows: the next minute starts again", async () => {
    const t0 = new Date("2026-12-01T10:00:05Z");
    for (let i = 0; i < 30; i++) expect((await consumeQuota(t.db, staffA.id, EXACT_LOOKUPS_PER_MINUTE, t0)).allowed).toBe(true);
    expect((await consumeQuota(t.db, staffA.id, EXACT_LOOKUPS_PER_MINUTE, t0)).allowed).toBe(false);
    const next = await consumeQuota(t.db, staffA.id, EXACT_LOOKUPS_PER_MINUTE, new Date("2026-12-01T10:01:00Z"));
    expect(next).toMatchObject({ allowed: true, count: 1 });
  });
});

describe("masking", () => {
  it("shows a mobile as 04•• ••• •NN: eight digits hidden", () => {
    expect(maskMobile("+61412345659")).toBe("04•• ••• •59");
    expect(maskMobile("0412 345 659")).toBe("04•• ••• •59");
    expect(maskMobile("+447700900123")).toBe("+44••••••••23");
  });

  it("the list's masked mobile carries two digits of the number, no more", async () => {
    actAs(staffA);
    const page = await listUsers({ pageSize: 100 });
    const row = page.rows.find((r) => r.id === withMobile.id)!;
    expect(row.maskedMobile).toBe(`04•• ••• •${withMobile.mobile.slice(-2)}`);
  });
});

describe("reveal quota", () => {
  it("support: 55 simultaneous reveals → 50 values, 5 refusals with a message, each refusal audited", async () => {
    actAs(support);
    const settled = await Promise.allSettled(Array.from({ length: 55 }, () => revealUserField(withMobile.id, "mobile")));
    const ok = settled.filter((s) => s.status === "fulfilled");
    const refused = settled.filter((s): s is PromiseRejectedResult => s.status === "rejected");
    expect(ok).toHaveLength(50);
    expect(refused).toHaveLength(5);
    for (const r of refused) {
      expect(r.reason).toBeInstanceOf(UserFacingError);
      expect((r.reason as Error).message).toMatch(/Daily reveal limit reached: at most 50/);
    }
    const events = await t.db
      .select()
      .from(auditEvents)
      .where(and(eq(auditEvents.action, "pii.reveal"), eq(auditEvents.actorId, support.id)));
    expect(events.filter((e) => e.outcome === "success")).toHaveLength(50);
    expect(events.filter((e) => e.outcome === "denied").map((e) => e.details)).toEqual(
      Array.from({ length: 5 }, () => ({ field: "mobile", reason: "daily-quota" })),
    );
  });

  it("admins are exempt (their reveals are audited all the same)", async () => {
    actAs(admin);
    for (let i = 0; i < 60; i++) expect(await revealUserField(withMobile.id, "email")).toBe(withMobile.email);
    const events = await t.db.select().from(auditEvents).where(and(eq(auditEvents.action, "pii.reveal"), eq(auditEvents.actorId, admin.id)));
    expect(events).toHaveLength(60);
  });
});
