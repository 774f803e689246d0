import "server-only";

// Reading Basiq's events feed (GET /events, the last 7 days, every entity: user, connection, consent, account,
// transactions) into the directory: new users from user.created, refreshed entries for user, connection and
// consent changes, deletions from user.deleted. Event dates have second resolution, so the cursor (the newest
// createdDate processed, in sync_cursors) is read with `>=` and every event id already processed is skipped
// through the ledger (basiq_event_ledger, unique by id, shared with a future webhook receiver): two events in
// the same second on either side of a run are both handled, each exactly once. Claiming ids in the ledger
// before acting makes two concurrent runs split the work instead of doing it twice.
import { and, eq, inArray, lt } from "drizzle-orm";

import type { BasiqClient } from "@/lib/basiq/client";
import type { Database } from "@/lib/db";
import { basiqEventLedger, basiqUsers, syncCursors } from "@/lib/db/schema";
import { handleConsentEvent, isConsentRelevant } from "@/lib/consents/events";
import { log } from "@/lib/log";

import { forEachLimited, syncDirectoryUser } from "./sync";

export const EVENTS_CURSOR = "basiq-events";
const MAX_PAGES = 100;
/** Basiq keeps events for 7 days: a sync older than that may have missed some. */
export const EVENT_FEED_WINDOW_MS = 7 * 24 * 3600_000;
/** Ledger rows processed longer ago than this (and older than the cursor) are pruned. */
const LEDGER_RETENTION_MS = 30 * 24 * 3600_000;
const SOURCE = "events-sync";

export interface EventsSyncResult {
  eventsRead: number;
  eventsNew: number;
  usersSynced: number;
  usersDeleted: number;
  failed: number;
  cursor: string | null;
  /** New consent events by type (revoked, expired, warning, reminder, ...). */
  consentEvents: Record<string, number>;
  /** Set when the previous successful sync is older than the feed's 7-day window: events may have been missed. */
  gapWarning: string | null;
}

export interface FeedEvent {
  id: string;
  userId: string;
  type: string;
  at: number;
  createdDate: string;
}

/** The warning for a previous sync at `lastSyncAt`, or null when it is within the feed's window. */
export function eventsGapWarning(lastSyncAt: Date | null, now = Date.now()): string | null {
  if (!lastSyncAt || now - lastSyncAt.getTime() <= EVENT_FEED_WINDOW_MS) return null;
  return (
    `The last events sync was on ${lastSyncAt.toISOString().slice(0, 10)}, more than 7 days ago: Basiq keeps events ` +
    "for 7 days only, so changes in between may have been missed. Run a full directory sync (npm run users:sync)."
  );
}

export async function syncFromEvents(db: Database, client: BasiqClient): Promise<EventsSyncResult> {
  const [cursorRow] = await db.select().from(syncCursors).where(eq(syncCursors.name, EVENTS_CURSOR)).limit(1);
  const since = cursorRow?.cursor ? Date.parse(cursorRow.cursor) : 0;
  const gapWarning = eventsGapWarning(cursorRow?.updatedAt ?? null);
  if (gapWarning) log.warn({ lastSyncAt: cursorRow?.updatedAt?.toISOString() }, "events sync: previous run older than Basiq's 7-day window");

  // Every entity (no filter): consent events included.
  const candidates: FeedEvent[] = [];
  let eventsRead = 0;
  let next: string | undefined;
  for (let page = 0; page < MAX_PAGES; page++) {
    const result = await client.listEvents({ next });
    eventsRead += result.events.length;
    for (const e of result.events) {
      const at = Date.parse(e.createdDate);
      // `>=`: an event in the cursor's own second may be new; the ledger says which ones were done.
      if (Number.isFinite(at) && at >= since) candidates.push({ id: e.id, userId: e.userId, type: `${e.entity}.${e.eventType}`, at, createdDate: e.createdDate });
    }
    next = result.next;
    if (!next) break;
  }
  const unique = [...new Map(candidates.map((e) => [e.id, e])).values()];

  // Claim what nobody processed yet: the insert returns only ids that were not in the ledger.
  const claimedIds = new Set<string>();
  for (let i = 0; i < unique.length; i += 500) {
    const chunk = unique.slice(i, i + 500);
    const rows = await db
      .insert(basiqEventLedger)
      .values(chunk.map((e) => ({ eventId: e.id, type: e.type, userId: e.userId, createdAt: new Date(e.at), source: SOURCE })))
      .onConflictDoNothing()
      .returning({ eventId: basiqEventLedger.eventId });
    for (const row of rows) claimedIds.add(row.eventId);
  }
  const events = unique.filter((e) => claimedIds.has(e.id)).sort((a, b) => a.at - b.at);

  const { usersSynced, deleted, failedUsers, consentEvents } = await applyEvents(db, client, events);
  // A user that could not be synced: release its events, so the next run handles them again.
  if (failedUsers.length > 0) {
    const released = events.filter((e) => failedUsers.includes(e.userId)).map((e) => e.id);
    for (let i = 0; i < released.length; i += 500) {
      await db.delete(basiqEventLedger).where(inArray(basiqEventLedger.eventId, released.slice(i, i + 500)));
    }
  }
  const failed = new Set(failedUsers).size;

  // Advance the cursor (and record a successful run) only when every user was handled.
  const newest = events.reduce<FeedEvent | null>((max, e) => (!max || e.at > max.at ? e : max), null);
  const cursor = newest?.createdDate ?? cursorRow?.cursor ?? null;
  if (failed === 0) {
    await db
      .insert(syncCursors)
      .values({ name: EVENTS_CURSOR, cursor })
      .onConflictDoUpdate({ target: syncCursors.name, set: { cursor, updatedAt: new Date() } });
    // Rows the `>=` cursor can never bring back (older than it), processed long ago, are no longer needed.
    const cursorAt = cursor ? Date.parse(cursor) : NaN;
    if (Number.isFinite(cursorAt)) {
      await db
        .delete(basiqEventLedger)
        .where(
          and(
            eq(basiqEventLedger.source, SOURCE),
            lt(basiqEventLedger.createdAt, new Date(cursorAt)),
            lt(basiqEventLedger.processedAt, new Date(Date.now() - LEDGER_RETENTION_MS)),
          ),
        );
    }
  }
  return {
    eventsRead,
    eventsNew: events.length,
    usersSynced,
    usersDeleted: deleted.length,
    failed,
    cursor: failed === 0 ? cursor : (cursorRow?.cursor ?? null),
    consentEvents,
    gapWarning,
  };
}

export interface AppliedEvents {
  usersSynced: number;
  /** Users marked deleted (their latest event was user.deleted). */
  deleted: string[];
  /** Users whose re-sync failed: their events must be released from the ledger and handled again. */
  failedUsers: string[];
  consentEvents: Record<string, number>;
}

/**
 * What an event does to the console, whoever read it (this events sync or the webhook receiver,
 * lib/webhooks/process.ts): both claim the event id in basiq_event_ledger first and then call this, so each event
 * is acted on once. The latest event per user decides: a deleted user is marked deleted, anyone else is re-synced.
 */
export async function applyEvents(db: Database, client: BasiqClient, events: readonly FeedEvent[]): Promise<AppliedEvents> {
  const consentEvents: Record<string, number> = {};
  for (const e of events) {
    if (!e.type.startsWith("consent.")) continue;
    const kind = e.type.slice("consent.".length);
    consentEvents[kind] = (consentEvents[kind] ?? 0) + 1;
    if (kind === "revoked" || kind === "expired") log.info({ userId: e.userId, eventId: e.id, type: e.type }, "consent ended: the user's data must be deleted or de-identified");
  }

  // Consent events and user.deleted: de-identification and stored consents (lib/consents/events.ts), in event
  // order, before the re-sync below. A user whose event could not be handled is retried (its events released).
  const failedUsers: string[] = [];
  for (const e of events) {
    if (!isConsentRelevant(e.type) || failedUsers.includes(e.userId)) continue;
    try {
      await handleConsentEvent({ id: e.id, type: e.type, userId: e.userId }, { db, client });
    } catch (err) {
      failedUsers.push(e.userId);
      log.warn({ userId: e.userId, eventId: e.id, type: e.type, correlationId: (err as { correlationId?: string }).correlationId }, "consent event could not be handled");
    }
  }

  const latest = new Map<string, string>();
  for (const e of events) latest.set(e.userId, e.type);
  const deleted = [...latest].filter(([, type]) => type === "user.deleted").map(([id]) => id);
  const toSync = [...latest].filter(([, type]) => type !== "user.deleted").map(([id]) => id);

  if (deleted.length > 0) await db.update(basiqUsers).set({ deletedAt: new Date() }).where(inArray(basiqUsers.id, deleted));
  let usersSynced = 0;
  await forEachLimited(toSync, 8, async (userId) => {
    try {
      if ((await syncDirectoryUser(db, client, userId, "event")) !== "not-found") usersSynced++;
    } catch (e) {
      failedUsers.push(userId);
      log.warn({ userId, correlationId: (e as { correlationId?: string }).correlationId }, "event-driven sync failed for a user");
    }
  });
  return { usersSynced, deleted, failedUsers, consentEvents };
}

/** For the overview: when the events sync last succeeded, and the warning when that is outside the feed's window. */
export async function eventsSyncStatus(db: Database): Promise<{ lastSyncAt: string | null; warning: string | null }> {
  const [row] = await db.select({ updatedAt: syncCursors.updatedAt }).from(syncCursors).where(eq(syncCursors.name, EVENTS_CURSOR)).limit(1);
  return { lastSyncAt: row?.updatedAt.toISOString() ?? null, warning: eventsGapWarning(row?.updatedAt ?? null) };
}
