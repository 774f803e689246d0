// The events sync's ledger (issue 13): a `>=` cursor on second-resolution dates plus processed event ids, so two
// events in the same second on either side of a run are both handled exactly once and a replay does nothing;
// consent events are read too; a sync older than the feed's 7-day window warns (log and overview).
import { Writable } from "node:stream";

import { eq } from "drizzle-orm";
import pino from "pino";
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";

import type { BasiqClient } from "@/lib/basiq/client";
import type { BasiqEvent } from "@/lib/basiq/schemas";
import type { TestDatabase } from "@/test/db";

const lines: Record<string, unknown>[] = [];
(globalThis as { basiqConsoleLogger?: unknown }).basiqConsoleLogger = pino(
  { level: "info" },
  new Writable({
    write(chunk, _enc, done) {
      for (const line of String(chunk).split("\n").filter(Boolean)) lines.push(JSON.parse(line) as Record<string, unknown>);
      done();
    },
  }),
);

const { createTestDatabase } = await import("@/test/db");
const { basiqEventLedger, basiqUsers, syncCursors } = await import("@/lib/db/schema");
const { syncFromEvents, eventsSyncStatus, EVENTS_CURSOR } = await import("./events");

/** A Basiq whose feed is one list of events (newest last); honours an `event.entity.eq(...)` filter if given. */
function fakeBasiq() {
  const feed: BasiqEvent[] = [];
  let seq = 0;
  const add = (entity: BasiqEvent["entity"], eventType: BasiqEvent["eventType"], userId: string, createdDate: string) => {
    feed.push({ type: "event", id: `ev-${++seq}`, createdDate, entity, eventType, userId, dataRef: `/users/${userId}`, data: {}, links: {} });
  };
  const getUser = vi.fn(async (id: string) => ({ type: "user", id, email: `${id}@example.com`, mobile: "", name: "", firstName: "F", middleName: "", lastName: id }));
  const listConnections = vi.fn(async () => []);
  const listEvents = vi.fn(async (options: { filter?: string; next?: string } = {}) => {
    const entity = /event\.entity\.eq\('(\w+)'\)/.exec(options.filter ?? "")?.[1];
    return { events: feed.filter((e) => !entity || e.entity === entity).reverse(), next: undefined };
  });
  return { client: { getUser, listConnections, listEvents } as unknown as BasiqClient, add, getUser, feed };
}

let t: TestDatabase;
beforeAll(async () => {
  t = await createTestDatabase();
});
afterAll(async () => {
  await t?.close();
});
beforeEach(async () => {
  lines.length = 0;
  await t.db.delete(basiqEventLedger);
  await t.db.delete(syncCursors);
  await t.db.delete(basiqUsers);
});

const synced = (basiq: ReturnType<typeof fakeBasiq>) => basiq.getUser.mock.calls.map(([id]) => id).sort();

describe("events sync: ledger and cursor", () => {
  // Fails on the old code: its strict `>` cursor skipped the second event of the same second.
  it("two events in the same second across a sync boundary are both processed exactly once; a replay processes 0", async () => {
    const basiq = fakeBasiq();
    const second = "2026-05-01T09:00:07Z";
    basiq.add("user", "created", "u-a", second);
    const first = await syncFromEvents(t.db, basiq.client);
    expect(first).toMatchObject({ eventsNew: 1, usersSynced: 1, cursor: second });
    expect(synced(basiq)).toEqual(["u-a"]);

    // Basiq records a second event in the very same second, after the first run read the feed.
    basiq.add("user", "created", "u-b", second);
    basiq.getUser.mockClear();
    const next = await syncFromEvents(t.db, basiq.client);
    expect(next).toMatchObject({ eventsRead: 2, eventsNew: 1, usersSynced: 1, cursor: second });
    expect(synced(basiq)).toEqual(["u-b"]);

    basiq.getUser.mockClear();
    const replay = await syncFromEvents(t.db, basiq.client);
    expect(replay).toMatchObject({ eventsRead: 2, eventsNew: 0, usersSynced: 0 });
    expect(basiq.getUser).not.toHaveBeenCalled();
    expect((await t.db.select().from(basiqEventLedger)).map((r) => r.eventId).sort()).toEqual(["ev-1", "ev-2"]);
  });

  it("two syncs at once split the events: each user is synced once", async () => {
    const basiq = fakeBasiq();
    for (const [i, id] of ["u-1", "u-2", "u-3", "u-4"].entries()) basiq.add("user", "created", id, `2026-05-01T09:00:0${i}Z`);
    const [a, b] = await Promise.all([syncFromEvents(t.db, basiq.client), syncFromEvents(t.db, basiq.client)]);
    expect(a.eventsNew + b.eventsNew).toBe(4);
    expect(synced(basiq)).toEqual(["u-1", "u-2", "u-3", "u-4"]);
  });

  // Fails on the old code: it read only the user and connection entities.
  it("reads consent events (revoked, expired, warning, reminder) and re-syncs their users", async () => {
    const basiq = fakeBasiq();
    basiq.add("consent", "revoked", "u-c", "2026-05-01T09:00:01Z");
    basiq.add("consent", "expired", "u-d", "2026-05-01T09:00:02Z");
    basiq.add("consent", "warning", "u-e", "2026-05-01T09:00:03Z");
    basiq.add("consent", "reminder", "u-e", "2026-05-01T09:00:04Z");
    const result = await syncFromEvents(t.db, basiq.client);
    expect(result).toMatchObject({ eventsNew: 4, usersSynced: 3, consentEvents: { revoked: 1, expired: 1, warning: 1, reminder: 1 } });
    expect(synced(basiq)).toEqual(["u-c", "u-d", "u-e"]);
    expect(lines.filter((l) => l.msg === "consent ended: the user's data must be deleted or de-identified").map((l) => l.userId)).toEqual(["u-c", "u-d"]);
  });

  // Fails on the old code: no warning anywhere when the previous run was outside the feed's window.
  it("warns (log and overview) when the last sync is older than the feed's 7 days", async () => {
    const basiq = fakeBasiq();
    await syncFromEvents(t.db, basiq.client);
    expect((await eventsSyncStatus(t.db)).warning).toBeNull();
    await t.db.update(syncCursors).set({ updatedAt: new Date(Date.now() - 8 * 24 * 3600_000) }).where(eq(syncCursors.name, EVENTS_CURSOR));
    expect((await eventsSyncStatus(t.db)).warning).toMatch(/more than 7 days ago: Basiq keeps events for 7 days only/);

    const late = await syncFromEvents(t.db, basiq.client);
    expect(late.gapWarning).toMatch(/more than 7 days ago/);
    expect(lines.filter((l) => l.msg === "events sync: previous run older than Basiq's 7-day window")).toHaveLength(1);
    // The run itself succeeded: the next one is within the window again.
    expect((await eventsSyncStatus(t.db)).warning).toBeNull();
  });
});
