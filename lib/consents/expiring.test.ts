// /consents on the list kit (issue 18 item 10): the expiring consents filtered by window and user, sorted by expiry
// or user (either way round), paged with totals; support and admin only. Against a real database (PGlite, or
// PostgreSQL with DATABASE_URL).
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";

import type { TestDatabase } from "@/test/db";
import { actAs, staffWithRole } from "@/test/session-mock";

vi.mock("@/lib/auth/session", async () => (await import("@/test/session-mock")).mockedSessionModule());

const { createTestDatabase } = await import("@/test/db");
const { useDatabaseForTests } = await import("@/lib/db/client");
const { consents } = await import("@/lib/db/schema");
const { ForbiddenError } = await import("@/lib/errors");
const { parseConsentsSearch } = await import("@/lib/search-params");
const { listExpiringConsents } = await import("./dal");

let t: TestDatabase;
const now = Date.parse("2026-12-01T00:00:00Z");
const HOUR = 3600_000;
const search = (query: string) => parseConsentsSearch(new URLSearchParams(query));

beforeAll(async () => {
  t = await createTestDatabase();
  useDatabaseForTests(t.db);
  // 30 active consents expiring 2 h, 8 h, … apart over the next 7 days (user-00 soonest), of users user-00…user-29
  // in reverse order of expiry; and ones the list must leave out: expired, revoked, beyond 7 days.
  await t.db.insert(consents).values([
    ...Array.from({ length: 30 }, (_, i) => ({
      id: `consent-${String(i).padStart(2, "0")}`,
      userId: `user-${String(29 - i).padStart(2, "0")}`,
      status: "active",
      expiresAt: new Date(now + (2 + i * 5) * HOUR),
      purpose: "Budgeting",
      source: "event",
    })),
    { id: "consent-expired", userId: "user-00", status: "active", expiresAt: new Date(now - HOUR), source: "event" },
    { id: "consent-revoked", userId: "user-00", status: "revoked", expiresAt: new Date(now + HOUR), source: "event" },
    { id: "consent-later", userId: "user-00", status: "active", expiresAt: new Date(now + 8 * 24 * HOUR), source: "event" },
  ]);
  actAs(staffWithRole("support"));
});
afterAll(async () => t?.close());

describe("expiring consents", () => {
  it("pages through the 7-day window soonest first, 25 a page, with the total", async () => {
    const first = await listExpiringConsents(search(""), now);
    expect(first).toMatchObject({ total: 30, page: 1, pageCount: 2, pageSize: 25 });
    expect(first.rows.map((r) => r.consentId)).toEqual(Array.from({ length: 25 }, (_, i) => `consent-${String(i).padStart(2, "0")}`));
    const second = await listExpiringConsents(search("page=2"), now);
    expect(second.rows.map((r) => r.consentId)).toEqual(["consent-25", "consent-26", "consent-27", "consent-28", "consent-29"]);
    // A page past the end shows the last one.
    expect((await listExpiringConsents(search("page=9"), now)).page).toBe(2);
  });

  it("narrows to a shorter window and to one user", async () => {
    const day = await listExpiringConsents(search("within=1"), now);
    expect(day.rows.map((r) => r.consentId)).toEqual(["consent-00", "consent-01", "consent-02", "consent-03", "consent-04"]); // 2, 7, 12, 17, 22 h
    expect(day.total).toBe(5);
    const one = await listExpiringConsents(search("userId=user-00"), now);
    expect(one.rows.map((r) => r.consentId)).toEqual(["consent-29"]);
    expect(one.total).toBe(1);
    // A window the list does not offer reads as the default 7 days.
    expect((await listExpiringConsents(search("within=30"), now)).total).toBe(30);
  });

  it("sorts by expiry or by user, either way round", async () => {
    const ids = async (q: string) => (await listExpiringConsents(search(q), now)).rows.map((r) => r.consentId).slice(0, 2);
    expect(await ids("dir=reverse")).toEqual(["consent-29", "consent-28"]);
    expect(await ids("sort=user")).toEqual(["consent-29", "consent-28"]); // user-00, user-01
    expect(await ids("sort=user&dir=reverse")).toEqual(["consent-00", "consent-01"]);
  });

  it("is support's and admin's: staff are refused", async () => {
    actAs(staffWithRole("staff"));
    await expect(listExpiringConsents(search(""), now)).rejects.toBeInstanceOf(ForbiddenError);
    actAs(staffWithRole("support"));
  });
});
