import "server-only";

// Reading Basiq's events feed (GET /events, the last 7 days) into the directory: new users from user.created,
// refreshed entries for user and connection changes, deletions from user.deleted. The cursor (the newest
// createdDate processed) lives in sync_cursors, so each run only handles what is new.
import { eq, inArray } from "drizzle-orm";

import type { BasiqClient } from "@/lib/basiq/client";
import type { Database } from "@/lib/db";
import { basiqUsers, syncCursors } from "@/lib/db/schema";
import { log } from "@/lib/log";

import { forEachLimited, syncDirectoryUser } from "./sync";

const CURSOR = "basiq-events";
const MAX_PAGES = 100;

export interface EventsSyncResult {
  eventsRead: number;
  eventsNew: number;
  usersSynced: number;
  usersDeleted: number;
  failed: number;
  cursor: string | null;
}

export async function syncFromEvents(db: Database, client: BasiqClient): Promise<EventsSyncResult> {
  const [cursorRow] = await db.select().from(syncCursors).where(eq(syncCursors.name, CURSOR)).limit(1);
  const since = cursorRow?.cursor ? Date.parse(cursorRow.cursor) : 0;

  const events: { userId: string; type: string; at: number; createdDate: string }[] = [];
  let eventsRead = 0;
  for (const entity of ["user", "connection"] as const) {
    let next: string | undefined;
    for (let page = 0; page < MAX_PAGES; page++) {
      const result = await client.listEvents({ filter: `event.entity.eq('${entity}')`, next });
      eventsRead += result.events.length;
      for (const e of result.events) {
        const at = Date.parse(e.createdDate);
        if (Number.isFinite(at) && at > since) events.push({ userId: e.userId, type: `${e.entity}.${e.eventType}`, at, createdDate: e.createdDate });
      }
      next = result.next;
      if (!next) break;
    }
  }
  events.sort((a, b) => a.at - b.at);

  // The latest event per user decides: a deleted user is marked deleted, anyone else is re-synced.
  const latest = new Map<string, string>();
  for (const e of events) latest.set(e.userId, e.type);
  const deleted = [...latest].filter(([, type]) => type === "user.deleted").map(([id]) => id);
  const toSync = [...latest].filter(([, type]) => type !== "user.deleted").map(([id]) => id);

  if (deleted.length > 0) await db.update(basiqUsers).set({ deletedAt: new Date() }).where(inArray(basiqUsers.id, deleted));
  let usersSynced = 0;
  let failed = 0;
  await forEachLimited(toSync, 8, async (userId) => {
    try {
      if ((await syncDirectoryUser(db, client, userId, "event")) !== "not-found") usersSynced++;
    } catch (e) {
      failed++;
      log.warn({ userId, correlationId: (e as { correlationId?: string }).correlationId }, "event-driven sync failed for a user");
    }
  });

  // Advance the cursor only when every user was handled, so a failure is retried on the next run.
  const newest = events.at(-1)?.createdDate ?? cursorRow?.cursor ?? null;
  if (failed === 0 && newest) {
    await db
      .insert(syncCursors)
      .values({ name: CURSOR, cursor: newest })
      .onConflictDoUpdate({ target: syncCursors.name, set: { cursor: newest, updatedAt: new Date() } });
  }
  return { eventsRead, eventsNew: events.length, usersSynced, usersDeleted: deleted.length, failed, cursor: failed === 0 ? newest : cursorRow?.cursor ?? null };
}
