// The audit log against a real database: admin-only, each filter narrows to exactly the matching events, keyset
// pages cover everything once, and the CSV export neutralises formulas and is itself audited.
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";

import type { CurrentStaff } from "@/lib/auth/session";
import type { TestDatabase } from "@/test/db";
import { actAs, staffWithRole } from "@/test/session-mock";

vi.mock("@/lib/auth/session", async () => (await import("@/test/session-mock")).mockedSessionModule());
// Day filters are days in CONSOLE_TIME_ZONE (lib/list/dates.test.ts covers other zones): UTC keeps these seeds simple.
process.env.CONSOLE_TIME_ZONE = "UTC";

const as = (role: CurrentStaff["role"]) => staffWithRole(role, "00000000-0000-4000-8000-00000000000a");

const { createTestDatabase } = await import("@/test/db");
const { useDatabaseForTests } = await import("@/lib/db/client");
const { auditEvents } = await import("@/lib/db/schema");
const { ForbiddenError, UnauthenticatedError } = await import("@/lib/errors");
const { parseAuditSearch } = await import("@/lib/search-params");
const { listAuditEvents, listAuditActions, exportAuditEventsCsv } = await import("./audit");

let t: TestDatabase;
type Seed = typeof auditEvents.$inferInsert;

// A fixed set of events over three days (UTC), with every filterable column varied.
const seed: Seed[] = [
  { occurredAt: new Date("2025-03-01T08:00:00Z"), actorEmail: "ana@corp.example", actorRole: "support", action: "pii.reveal", outcome: "success", targetUserId: "user-1", details: { field: "email" } },
  { occurredAt: new Date("2025-03-01T23:59:59Z"), actorEmail: "ana@corp.example", actorRole: "support", action: "connection.refresh", outcome: "requested", targetUserId: "user-1", targetConnectionId: "conn-1" },
  { occurredAt: new Date("2025-03-02T00:00:00Z"), actorEmail: "bo@corp.example", actorRole: "admin", action: "connection.purge", outcome: "failure", targetUserId: "user-2", targetConnectionId: "conn-2", correlationId: "corr-9" },
  { occurredAt: new Date("2025-03-02T12:00:00Z"), actorEmail: "bo@corp.example", actorRole: "admin", action: "jobs.export", outcome: "success", details: { rows: 3 } },
  { occurredAt: new Date("2025-03-03T06:00:00Z"), actorEmail: null, actorRole: null, action: "auth.sign_in", outcome: "denied", details: { reason: "throttled" } },
  { occurredAt: new Date("2025-03-03T07:00:00Z"), actorEmail: "ana@corp.example", actorRole: "support", action: "job.view", outcome: "unknown", targetUserId: "user-2", targetJobId: "job-7" },
  {
    occurredAt: new Date("2025-03-03T09:00:00Z"),
    actorEmail: "=cmd@corp.example",
    actorRole: "support",
    action: "pii.reveal",
    outcome: "success",
    targetUserId: "user-3",
    correlationId: "+SUM(A1:A9)",
    userAgent: "=cmd|' /C calc'!A0",
    details: { note: '@evil "quoted"' },
  },
];

async function actions(filters: Parameters<typeof listAuditEvents>[0]) {
  const { events } = await listAuditEvents({ ...filters, limit: 200 });
  return events;
}

beforeAll(async () => {
  t = await createTestDatabase();
  useDatabaseForTests(t.db);
  // One at a time, so ids follow time (the log is ordered by id).
  for (const row of seed) await t.db.insert(auditEvents).values(row);
});
afterAll(async () => {
  await t?.close();
});
beforeEach(() => {
  actAs(as("admin"));
});

describe("who may read the audit log", () => {
  for (const role of ["support", "staff"] as const) {
    it(`refuses ${role}, and a refused export writes nothing`, async () => {
      const before = (await t.db.select().from(auditEvents)).length;
      actAs(as(role));
      await expect(listAuditEvents()).rejects.toBeInstanceOf(ForbiddenError);
      await expect(listAuditActions()).rejects.toBeInstanceOf(ForbiddenError);
      await expect(exportAuditEventsCsv({})).rejects.toBeInstanceOf(ForbiddenError);
      expect(await t.db.select().from(auditEvents)).toHaveLength(before);
    });
  }

  it("refuses anonymous callers", async () => {
    actAs(null);
    await expect(listAuditEvents()).rejects.toBeInstanceOf(UnauthenticatedError);
  });
});

describe("listing and filters", () => {
  it("lists every event newest first", async () => {
    const events = await actions({});
    expect(events.length).toBeGreaterThanOrEqual(seed.length);
    const ids = events.map((e) => e.id);
    expect(ids).toEqual([...ids].sort((a, b) => b - a));
  });

  it.each([
    ["actor", { actor: "ana@corp.example" }, 3],
    ["action", { action: "pii.reveal" }, 2],
    ["outcome", { outcome: "denied" as const }, 1],
    ["user id", { userId: "user-2" }, 2],
    ["connection id", { connectionId: "conn-1" }, 1],
    ["job id", { jobId: "job-7" }, 1],
    ["from (inclusive, whole UTC day)", { from: "2025-03-03" }, 3],
    ["to (inclusive, whole UTC day)", { to: "2025-03-01" }, 2],
    ["a one-day range", { from: "2025-03-02", to: "2025-03-02" }, 2],
    ["several at once", { actor: "ana@corp.example", userId: "user-1", outcome: "requested" as const }, 1],
  ])("narrows by %s", async (_name, filters, expected) => {
    const events = (await actions(filters)).filter((e) => e.occurredAt.startsWith("2025-03"));
    expect(events).toHaveLength(expected);
    for (const e of events) {
      if ("actor" in filters) expect(e.actorEmail).toBe(filters.actor);
      if ("action" in filters) expect(e.action).toBe(filters.action);
      if ("outcome" in filters) expect(e.outcome).toBe(filters.outcome);
      if ("userId" in filters) expect(e.userId).toBe(filters.userId);
      if ("connectionId" in filters) expect(e.connectionId).toBe(filters.connectionId);
      if ("jobId" in filters) expect(e.jobId).toBe(filters.jobId);
      if ("from" in filters) expect(e.occurredAt >= `${filters.from}T00:00:00`).toBe(true);
      if ("to" in filters) expect(e.occurredAt < `${filters.to}T23:59:59.999Z`).toBe(true);
    }
  });

  it("matches exactly, not by prefix", async () => {
    expect(await actions({ userId: "user" })).toHaveLength(0);
    expect(await actions({ actor: "ana@corp" })).toHaveLength(0);
    expect(await actions({ action: "pii" })).toHaveLength(0);
  });

  it("pages by id: every matching event exactly once, with its position among the total, and back again", async () => {
    const all = await actions({ from: "2025-03-01", to: "2025-03-03" });
    expect(all.length).toBe(7);
    const range = { from: "2025-03-01", to: "2025-03-03" };
    const seen: number[] = [];
    const pages: Awaited<ReturnType<typeof listAuditEvents>>[] = [];
    let before: number | undefined;
    for (let i = 0; i < 10; i++) {
      const page = await listAuditEvents({ ...range, before, limit: 2 });
      pages.push(page);
      expect(page).toMatchObject({ total: 7, first: seen.length + 1, last: seen.length + page.events.length, hasPrevious: i > 0 });
      seen.push(...page.events.map((e) => e.id));
      if (!page.nextBefore) break;
      before = page.nextBefore;
    }
    expect(seen).toEqual(all.map((e) => e.id));
    expect(pages.map((p) => [p.first, p.last])).toEqual([[1, 2], [3, 4], [5, 6], [7, 7]]);
    // "Previous" from the last page: the page before it (after its first row), then the first page (no cursor).
    const lastPage = pages.at(-1)!;
    expect(lastPage.previousAfter).toBe(lastPage.events[0]!.id);
    const third = await listAuditEvents({ ...range, after: lastPage.previousAfter!, limit: 2 });
    expect(third.events.map((e) => e.id)).toEqual(pages[2]!.events.map((e) => e.id));
    expect(third).toMatchObject({ first: 5, last: 6, previousAfter: pages[2]!.events[0]!.id, nextBefore: pages[2]!.nextBefore });
    expect(pages[1]).toMatchObject({ hasPrevious: true, previousAfter: null });
    // A cursor less than a page from the top opens the first page, full.
    const top = await listAuditEvents({ ...range, after: pages[1]!.events[0]!.id, limit: 2 });
    expect(top.events.map((e) => e.id)).toEqual(pages[0]!.events.map((e) => e.id));
    expect(top).toMatchObject({ first: 1, last: 2, hasPrevious: false });
  });

  it("offers the distinct actions present, sorted", async () => {
    const list = await listAuditActions();
    expect(list).toEqual([...new Set(list)].sort());
    expect(list).toEqual(expect.arrayContaining(["auth.sign_in", "connection.purge", "pii.reveal"]));
  });

  it("parses URL filters, dropping malformed values", () => {
    const parsed = parseAuditSearch(
      new URLSearchParams("actor=ANA@corp.example&action=pii.reveal&outcome=maybe&userId=../etc&jobId=job-7&from=2025-13-40&to=2025-03-02&before=abc&after=-1"),
    );
    expect(parsed).toEqual({ actor: "ana@corp.example", action: "pii.reveal", jobId: "job-7", to: "2025-03-02" });
    expect(parseAuditSearch({ before: "42", connectionId: ["conn-1", "x"] })).toEqual({ before: 42, connectionId: "conn-1" });
  });
});

describe("CSV export", () => {
  it("exports the current filter with formulas neutralised and quotes escaped, and audits the export", async () => {
    const { csv, rows, truncated } = await exportAuditEventsCsv({ userId: "user-3" });
    expect(rows).toBe(1);
    expect(truncated).toBe(false);
    const lines = csv.split("\r\n");
    expect(lines[0]).toBe(
      "id,occurred_at,actor_id,actor_email,actor_role,action,outcome,target_user_id,target_connection_id,target_job_id,correlation_id,ip,user_agent,details",
    );
    expect(lines).toHaveLength(3); // header, one row, trailing CRLF
    const row = lines[1]!;
    expect(row).toContain(`"'=cmd@corp.example"`);
    expect(row).toContain(`"'+SUM(A1:A9)"`);
    expect(row).toContain(`"'=cmd|' /C calc'!A0"`);
    expect(row).toContain(`"{""note"":""@evil \\""quoted\\""""}"`);
    expect(row).not.toMatch(/(^|,)"[=+@-]/); // no cell starts with a formula character

    const [event] = await t.db.select().from(auditEvents).where(eq(auditEvents.action, "audit.export"));
    expect(event).toMatchObject({ actorRole: "admin", outcome: "success", details: { filter: { userId: "user-3" }, rows: 1, truncated: false } });
  });

  it("caps the rows and says so", async () => {
    const { csv, rows, truncated } = await exportAuditEventsCsv({ from: "2025-03-01", to: "2025-03-03" }, 2);
    expect(rows).toBe(2);
    expect(truncated).toBe(true);
    expect(csv.trimEnd().split("\r\n")).toHaveLength(3);
    const events = await t.db.select().from(auditEvents).where(eq(auditEvents.action, "audit.export")).orderBy(auditEvents.id);
    expect(events.at(-1)).toMatchObject({ details: { rows: 2, truncated: true, filter: { from: "2025-03-01", to: "2025-03-03" } } });
  });
});
