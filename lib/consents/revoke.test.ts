// Revoking a consent (admin only) has purge's protections: the permission, a same-origin request, a sign-in within
// 15 minutes (or the password), the typed confirmation, every refusal audited, and exactly one DELETE at Basiq
// however many submissions arrive together. On success the user's personal details are erased at once.
import { sql } from "drizzle-orm";
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";

import { rowsOf, useDatabaseForTests } from "@/lib/db/client";
import { generateDataset } from "@/sandbox/data";
import { startSandbox, type Sandbox } from "@/sandbox/server";
import { createTestDatabase, type TestDatabase } from "@/test/db";
import { actAs, staffWithRole } from "@/test/session-mock";

import type * as ConsentActions from "@/app/(console)/consents/actions";

vi.mock("@/lib/auth/session", async () => (await import("@/test/session-mock")).mockedSessionModule());
const requestHeaders = vi.hoisted(() => ({ origin: "http://console.test" as string | null }));
vi.mock("next/headers", () => ({
  headers: async () =>
    new Headers({ host: "console.test", "user-agent": "vitest", ...(requestHeaders.origin ? { origin: requestHeaders.origin } : {}) }),
  cookies: async () => ({ get: () => undefined, getAll: () => [], has: () => false }),
}));
vi.mock("next/cache", () => ({ revalidatePath: () => {}, revalidateTag: () => {} }));

const USERS = 20;
const dataset = generateDataset({ users: USERS, seed: 1 });
const WHISTLER = dataset.user(1).id; // one active open-banking consent
const DELETE_ROUTE = "DELETE /users/{userId}/consents/{consentId}";

let sandbox: Sandbox;
let testDb: TestDatabase;
let revokeConsentAction: typeof ConsentActions.revokeConsentAction;
let consentId: string;

const deletes = async () => ((await (await fetch(`${sandbox.url}/__sandbox/stats`)).json()) as Record<string, number>)[DELETE_ROUTE] ?? 0;
const refusals = async () =>
  rowsOf<{ reason: string }>(await testDb.db.execute(sql`select details->>'reason' as reason from audit_events where action = 'consent.revoke.refused' order by id`)).map((r) => r.reason);

beforeAll(async () => {
  [sandbox, testDb] = await Promise.all([startSandbox({ port: 0, users: USERS, seed: 1 }), createTestDatabase()]);
  process.env.BASIQ_API_URL = sandbox.url;
  process.env.BASIQ_API_KEY = "sandbox-key";
  const { resetEnvForTests } = await import("@/lib/env");
  const { resetBasiqClientForTests, basiq } = await import("@/lib/basiq");
  resetEnvForTests();
  resetBasiqClientForTests();
  useDatabaseForTests(testDb.db);
  ({ revokeConsentAction } = await import("@/app/(console)/consents/actions"));
  const { syncDirectoryUser } = await import("@/lib/directory/sync");
  await syncDirectoryUser(testDb.db, basiq(), WHISTLER, "sync");
  consentId = (await basiq().listConsents(WHISTLER))[0]!.id;
}, 60_000);

afterAll(async () => {
  await Promise.all([sandbox?.close(), testDb?.close()]);
});

beforeEach(() => {
  requestHeaders.origin = "http://console.test";
});

describe("revoke consent", () => {
  const input = () => ({ userId: WHISTLER, consentId, confirm: consentId });

  it("is refused to support and staff (no permission), without a call to Basiq", async () => {
    for (const role of ["support", "staff"] as const) {
      actAs(staffWithRole(role));
      expect(await revokeConsentAction(input())).toMatchObject({ ok: false, message: "You do not have permission to do that." });
    }
    expect(await deletes()).toBe(0);
  });

  it("is refused from another origin, and audited", async () => {
    actAs(staffWithRole("admin"));
    requestHeaders.origin = "https://evil.example";
    expect(await revokeConsentAction(input())).toMatchObject({ ok: false });
    expect(await refusals()).toContain("origin");
    expect(await deletes()).toBe(0);
  });

  it("needs the typed consent id", async () => {
    actAs(staffWithRole("admin"));
    const r = await revokeConsentAction({ ...input(), confirm: "yes" });
    expect(r).toMatchObject({ ok: false, message: "Some fields are not valid." });
    expect(await deletes()).toBe(0);
  });

  it("needs a sign-in within 15 minutes or the password: a stale sign-in without it is refused and audited", async () => {
    actAs({ ...staffWithRole("admin"), signedInAt: Date.now() - 20 * 60_000 });
    const r = await revokeConsentAction(input());
    expect(r).toMatchObject({ ok: false });
    expect((r as { message: string }).message).toMatch(/15 minutes/);
    expect((await refusals()).at(-1)).toBe("stale-sign-in");
    expect(await deletes()).toBe(0);
  });

  it("three submissions at once: one DELETE at Basiq, the consent revoked, the user's personal details erased", async () => {
    actAs(staffWithRole("admin"));
    const results = await Promise.all([revokeConsentAction(input()), revokeConsentAction(input()), revokeConsentAction(input())]);
    expect(await deletes()).toBe(1);
    expect(results.filter((r) => r.ok)).not.toHaveLength(0);
    const { basiq } = await import("@/lib/basiq");
    expect((await basiq().listConsents(WHISTLER)).find((c) => c.id === consentId)?.status).toBe("revoked");
    const row = rowsOf<{ email_enc: string | null; deidentified_by: string | null }>(
      await testDb.db.execute(sql`select email_enc, deidentified_by from basiq_users where id = ${WHISTLER}`),
    )[0];
    expect(row).toEqual({ email_enc: null, deidentified_by: "consent.revoked" });
    const actions = rowsOf<{ action: string }>(await testDb.db.execute(sql`select action from audit_events where target_user_id = ${WHISTLER} order by id`)).map((r) => r.action);
    expect(actions.filter((a) => a === "consent.revoke.requested")).toHaveLength(1);
    expect(actions.filter((a) => a === "consent.revoke.succeeded")).toHaveLength(1);
    expect(actions.filter((a) => a === "user.deidentified")).toHaveLength(1);
    // The user page's consents section says why the details are gone, and shows the consent revoked.
    const { getUserConsents } = await import("./dal");
    const section = await getUserConsents(WHISTLER);
    expect(section.deidentified?.event).toBe("consent.revoked");
    expect(section.consents.find((c) => c.id === consentId)?.status).toBe("revoked");
    // A later submission gets the outcome, not a second call.
    expect(await revokeConsentAction(input())).toMatchObject({ ok: true });
    expect(await deletes()).toBe(1);
  });
});
