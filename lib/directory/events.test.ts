// Keeping the directory current from Basiq's events feed: new users added, changed users refreshed, deleted users
// hidden, and a cursor so each run only handles what is new (and retries what failed).
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";

import type { BasiqClient } from "@/lib/basiq/client";
import { BasiqApiError } from "@/lib/basiq/errors";
import type { BasiqEvent } from "@/lib/basiq/schemas";
import { basiqUsers, syncCursors } from "@/lib/db/schema";
import { createTestDatabase, type TestDatabase } from "@/test/db";

import { syncFromEvents } from "./events";
import { recordDirectoryUser } from "./record";
import { searchDirectory } from "./search";

type Entity = "user" | "connection" | "consent";

interface FakeUser {
  email: string;
  firstName: string;
  lastName: string;
  connections: { id: string; status: "active" | "invalid" | "pending"; institution: string }[];
}

/**
 * A Basiq with users and an events feed. `feed[entity]` is a list of pages; listEvents serves them in order,
 * following `next`, and honours the `event.entity.eq('...')` filter. Users in `failing` answer 503.
 */
function fakeBasiq() {
  const users = new Map<string, FakeUser>();
  const feed: Record<Entity, BasiqEvent[][]> = { user: [], connection: [], consent: [] };
  const failing = new Set<string>();
  let seq = 0;

  const event = (
    entity: Entity,
    eventType: BasiqEvent["eventType"],
    userId: string,
    createdDate: string,
  ): BasiqEvent => ({
    type: "event",
    id: `evt-${++seq}`,
    createdDate,
    entity,
    eventType,
    userId,
    dataRef: `/users/${userId}`,
    data: null,
    links: {},
  });

  const notFound = (route: string) =>
    new BasiqApiError({ method: "GET", route, status: 404, code: "resource-not-found" });
  const unavailable = (route: string) =>
    new BasiqApiError({ method: "GET", route, status: 503, code: "service-unavailable" });

  const getUser = vi.fn(async (id: string) => {
    if (failing.has(id)) throw unavailable("GET /users/{userId}");
    const u = users.get(id);
    if (!u) throw notFound("GET /users/{userId}");
    return {
      type: "user",
      id,
      email: u.email,
      mobile: "",
      name: "",
      firstName: u.firstName,
      middleName: "",
      lastName: u.lastName,
    };
  });
  const listConnections = vi.fn(async (id: string) => {
    if (failing.has(id)) throw unavailable("GET /users/{userId}/connections");
    const u = users.get(id);
    if (!u) throw notFound("GET /users/{userId}/connections");
    return u.connections.map((c) => ({
      type: "connection",
      id: c.id,
      method: "open-banking",
      status: c.status,
      createdDate: "2026-01-01T00:00:00Z",
      expiryDate: "2027-01-01T00:00:00Z",
      institution: { id: c.institution, type: "institution", links: { self: "" } },
      links: { self: "", institution: "" },
    }));
  });
  // Unfiltered, as the sync reads it: every entity's pages in turn.
  const listEvents = vi.fn(async (options: { filter?: string; next?: string } = {}) => {
    if (options.filter) throw new Error(`fake listEvents: unexpected filter ${options.filter}`);
    const index = options.next ? Number(options.next.split(":")[1]) : 0;
    const pages = [...feed.user, ...feed.connection, ...feed.consent];
    return {
      events: pages[index] ?? [],
      next: index + 1 < pages.length ? `all:${index + 1}` : undefined,
    };
  });

  return {
    client: { getUser, listConnections, listEvents } as unknown as BasiqClient,
    users,
    feed,
    failing,
    event,
    getUser,
    listEvents,
  };
}

const at = (minute: number) => new Date(Date.UTC(2026, 4, 1, 9, minute)).toISOString();

let t: TestDatabase;
beforeAll(async () => {
  t = await createTestDatabase();
});
afterAll(async () => {
  await t?.close();
});

const row = async (id: string) => (await t.db.select().from(basiqUsers).where(eq(basiqUsers.id, id)))[0];
const liveIds = async () =>
  (await searchDirectory(t.db, { sort: "id", pageSize: 100 })).rows.map((r) => r.id);
const storedCursors = async () =>
  (await t.db.select({ cursor: syncCursors.cursor }).from(syncCursors)).map((r) => r.cursor);

describe(`syncing from Basiq events (${process.env.DATABASE_URL ? "PostgreSQL" : "PGlite"})`, () => {
  const basiq = fakeBasiq();
  const { users, feed, event, failing } = basiq;

  it("adds created users, refreshes changed ones and marks deleted ones, following every page", async () => {
    // Already in the directory before the run.
    await recordDirectoryUser(
      t.db,
      {
        id: "u-old",
        email: "old@example.com.au",
        firstName: "Harriet",
        lastName: "Oldfield",
        connections: [],
      },
      "sync",
    );
    await recordDirectoryUser(
      t.db,
      {
        id: "u-conn",
        email: "conn@example.com.au",
        firstName: "Connor",
        lastName: "Active",
        connections: [
          {
            id: "c-1",
            status: "active",
            method: "open-banking",
            institutionId: "AU00100",
            institutionName: null,
          },
        ],
      },
      "sync",
    );

    users.set("u-new1", {
      email: "Ava.Brown@Example.com.au",
      firstName: "Ava",
      lastName: "Brown",
      connections: [],
    });
    users.set("u-new2", {
      email: "leo.martin@example.com.au",
      firstName: "Leo",
      lastName: "Martin",
      connections: [{ id: "c-2", status: "pending", institution: "AU00200" }],
    });
    users.set("u-conn", {
      email: "conn@example.com.au",
      firstName: "Connor",
      lastName: "Active",
      connections: [{ id: "c-1", status: "invalid", institution: "AU00100" }],
    });
    // u-gone was created and deleted within the window; u-old is deleted now.
    feed.user = [
      [event("user", "created", "u-new1", at(1)), event("user", "created", "u-gone", at(2))],
      [event("user", "created", "u-new2", at(3)), event("user", "deleted", "u-gone", at(4))],
      [event("user", "deleted", "u-old", at(6))],
    ];
    feed.connection = [[event("connection", "invalidated", "u-conn", at(5))]];

    const result = await syncFromEvents(t.db, basiq.client);

    expect(result).toMatchObject({ eventsRead: 6, eventsNew: 6, usersSynced: 3, failed: 0, cursor: at(6) });
    expect(await liveIds()).toEqual(["u-conn", "u-new1", "u-new2"]);
    // Deleted: hidden, not forgotten; never-known deleted users are not written.
    expect((await row("u-old"))!.deletedAt).toBeInstanceOf(Date);
    expect(await row("u-gone")).toBeUndefined();
    expect(basiq.getUser.mock.calls.map(([id]) => id)).not.toContain("u-gone");
    // New users are searchable by what Basiq returned.
    expect((await searchDirectory(t.db, { q: "ava.brown@example.com.au" })).rows.map((r) => r.id)).toEqual([
      "u-new1",
    ]);
    expect((await searchDirectory(t.db, { q: "leo martin" })).rows[0]).toMatchObject({
      id: "u-new2",
      source: "event",
      worstConnectionStatus: "pending",
      institutionIds: ["AU00200"],
    });
    // The invalidated connection is reflected.
    expect(await row("u-conn")).toMatchObject({
      worstConnectionStatus: "invalid",
      connectionStatuses: ["invalid"],
    });
    expect((await searchDirectory(t.db, { status: "invalid" })).rows.map((r) => r.id)).toEqual(["u-conn"]);
    expect(await storedCursors()).toEqual([at(6)]);
  });

  it("does nothing new when the same events are read again", async () => {
    const all = () => t.db.select().from(basiqUsers).orderBy(basiqUsers.id);
    const before = await all();
    basiq.getUser.mockClear();

    const result = await syncFromEvents(t.db, basiq.client);

    expect(result).toMatchObject({
      eventsRead: 6,
      eventsNew: 0,
      usersSynced: 0,
      usersDeleted: 0,
      failed: 0,
      cursor: at(6),
    });
    expect(basiq.getUser).not.toHaveBeenCalled();
    expect(await all()).toEqual(before);
    expect(await storedCursors()).toEqual([at(6)]);
  });

  it("keeps the cursor where it was when a user cannot be synced, and catches up on the next run", async () => {
    users.set("u-new1", {
      email: "ava.jones@example.com.au",
      firstName: "Ava",
      lastName: "Jones",
      connections: [],
    });
    users.set("u-late", {
      email: "late@example.com.au",
      firstName: "Lateef",
      lastName: "Khan",
      connections: [],
    });
    feed.user.push([event("user", "updated", "u-new1", at(7)), event("user", "created", "u-late", at(8))]);
    failing.add("u-late");

    const failed = await syncFromEvents(t.db, basiq.client);

    expect(failed).toMatchObject({ eventsNew: 2, failed: 1, cursor: at(6) });
    expect(await storedCursors()).toEqual([at(6)]);
    expect(await row("u-late")).toBeUndefined();
    // The user that could be synced was written all the same.
    expect((await searchDirectory(t.db, { q: "ava.jones@example.com.au" })).rows.map((r) => r.id)).toEqual([
      "u-new1",
    ]);

    failing.delete("u-late");
    basiq.getUser.mockClear();
    const retried = await syncFromEvents(t.db, basiq.client);

    // Only the failed user's event is handled again: u-new1's is in the ledger (processed exactly once).
    expect(retried).toMatchObject({ eventsNew: 1, failed: 0, cursor: at(8) });
    expect(basiq.getUser.mock.calls.map(([id]) => id).sort()).toEqual(["u-late"]);
    expect(await storedCursors()).toEqual([at(8)]);
    expect((await searchDirectory(t.db, { q: "late@example.com.au" })).rows.map((r) => r.id)).toEqual([
      "u-late",
    ]);
    // The old e-mail no longer finds the refreshed user.
    expect((await searchDirectory(t.db, { q: "ava.brown@example.com.au" })).total).toBe(0);

    const quiet = await syncFromEvents(t.db, basiq.client);
    expect(quiet).toMatchObject({ eventsNew: 0, usersSynced: 0, cursor: at(8) });
  });

  it("takes the latest event per user: created after deleted brings a user back", async () => {
    users.set("u-old", {
      email: "old@example.com.au",
      firstName: "Harriet",
      lastName: "Oldfield",
      connections: [],
    });
    // Pages out of chronological order: the feed is sorted by time before deciding.
    feed.user.push([event("user", "created", "u-old", at(10)), event("user", "deleted", "u-conn", at(9))]);

    const result = await syncFromEvents(t.db, basiq.client);

    expect(result).toMatchObject({ eventsNew: 2, usersSynced: 1, usersDeleted: 1, cursor: at(10) });
    expect(await liveIds()).toEqual(["u-late", "u-new1", "u-new2", "u-old"]);
  });

  it("counts a user Basiq no longer knows as neither synced nor failed, and moves on", async () => {
    feed.connection.push([event("connection", "created", "u-vanished", at(11))]);
    const result = await syncFromEvents(t.db, basiq.client);
    expect(result).toMatchObject({ eventsNew: 1, usersSynced: 0, failed: 0, cursor: at(11) });
    expect(await row("u-vanished")).toBeUndefined();
  });
});
