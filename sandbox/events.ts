// Events for GET /events, derived from the seeded data (a user's creation, its connections' creation,
// activation, invalidation...) plus the ones the sandbox's own mutations cause (connection.deleted).
// Records are compact (no strings but the type) so a scan of 100,000 users stays small; they become wire
// objects only when a page is served.
import { createHash } from "node:crypto";

import { type Dataset, type SeedUser } from "./data";

export const EVENT_TYPES = [
  "user.created",
  "user.updated",
  "connection.created",
  "connection.activated",
  "connection.invalidated",
  "connection.deleted",
  "consent.created",
  "consent.revoked",
  "consent.expired",
  "consent.warning",
  "consent.reminder",
  "user.deleted",
] as const;
export type EventType = (typeof EVENT_TYPES)[number];

/** Basiq serves the last 7 days of events only (core.json, GET /events `filter` description). */
export const EVENT_RETENTION_MS = 7 * 24 * 60 * 60 * 1000;

export interface EventRecord {
  /** Epoch ms, whole seconds. */
  at: number;
  type: EventType;
  userIndex: number;
  /** -1 for user events. */
  connectionIndex: number;
}

const TYPE_ORDER = new Map<EventType, number>(EVENT_TYPES.map((type, i) => [type, i]));

/** Newest first; ties broken by user, connection, type so the order (and so the paging cursor) is total. */
export function compareEvents(a: EventRecord, b: EventRecord): number {
  return (
    b.at - a.at ||
    b.userIndex - a.userIndex ||
    b.connectionIndex - a.connectionIndex ||
    (TYPE_ORDER.get(b.type) ?? 0) - (TYPE_ORDER.get(a.type) ?? 0)
  );
}

/** Consent reminders: one every 90 days of an open-banking consent (a sandbox choice, after the CDR's 90-day notices). */
export const CONSENT_REMINDER_MS = 90 * 24 * 60 * 60 * 1000;
/** consent.warning: 7 days before the consent expires (BASIQ.md). */
export const CONSENT_WARNING_MS = 7 * 24 * 60 * 60 * 1000;

/**
 * A user's seeded events up to `anchor`. Open-banking consents also produce: `consent.reminder` every 90 days,
 * `consent.warning` 7 days before expiry, `consent.expired` at expiry, and `consent.revoked` when an invalid
 * connection was invalidated before its consent expired (the user withdrew it).
 */
export function eventsOfUser(user: SeedUser, anchor = Number.POSITIVE_INFINITY): EventRecord[] {
  const events: EventRecord[] = [
    { at: user.createdDate, type: "user.created", userIndex: user.index, connectionIndex: -1 },
  ];
  if (user.updatedDate !== null) {
    events.push({ at: user.updatedDate, type: "user.updated", userIndex: user.index, connectionIndex: -1 });
  }
  for (const connection of user.connections) {
    const base = { userIndex: user.index, connectionIndex: connection.index };
    events.push({ ...base, at: connection.createdDate, type: "connection.created" });
    if (connection.method === "openbanking") {
      events.push({ ...base, at: connection.createdDate + 10_000, type: "consent.created" });
    }
    if (connection.status !== "pending") {
      events.push({ ...base, at: connection.createdDate + 45_000, type: "connection.activated" });
    }
    let invalidatedAt: number | null = null;
    if (connection.status === "invalid") {
      const newest = connection.jobs[connection.jobs.length - 1];
      if (newest) {
        invalidatedAt = newest.updated;
        events.push({ ...base, at: newest.updated, type: "connection.invalidated" });
      }
    }
    const expiry = connection.method === "openbanking" ? connection.expiryDate : null;
    if (expiry !== null) {
      const until = Math.min(anchor, expiry);
      for (let at = connection.createdDate + CONSENT_REMINDER_MS; at < until; at += CONSENT_REMINDER_MS) {
        events.push({ ...base, at, type: "consent.reminder" });
      }
      if (expiry - CONSENT_WARNING_MS <= anchor) events.push({ ...base, at: expiry - CONSENT_WARNING_MS, type: "consent.warning" });
      if (expiry <= anchor) events.push({ ...base, at: expiry, type: "consent.expired" });
      else if (invalidatedAt !== null) events.push({ ...base, at: invalidatedAt, type: "consent.revoked" });
    }
  }
  return events.filter((event) => event.at <= anchor);
}

/**
 * Every seeded event at or after `since`, newest first. Scans every user (a few seconds for 100,000), yielding
 * to the event loop between chunks so the server keeps answering meanwhile; stops when `signal` aborts.
 */
export async function collectSeededEvents(
  dataset: Dataset,
  since: number,
  signal?: AbortSignal,
): Promise<EventRecord[]> {
  const CHUNK = 250;
  const events: EventRecord[] = [];
  for (let start = 0; start < dataset.userCount; start += CHUNK) {
    signal?.throwIfAborted();
    const end = Math.min(dataset.userCount, start + CHUNK);
    for (let index = start; index < end; index++) {
      for (const event of eventsOfUser(dataset.user(index, { cache: false }), dataset.anchor)) {
        if (event.at >= since) events.push(event);
      }
    }
    if (end < dataset.userCount) await new Promise((resolve) => setImmediate(resolve));
  }
  return events.sort(compareEvents);
}

/** Index of the first event in `sorted` (newest first) that sorts after `event`; binary search. */
export function indexAfter(sorted: readonly EventRecord[], event: EventRecord): number {
  let low = 0;
  let high = sorted.length;
  while (low < high) {
    const middle = (low + high) >>> 1;
    const candidate = sorted[middle];
    if (candidate !== undefined && compareEvents(candidate, event) <= 0) low = middle + 1;
    else high = middle;
  }
  return low;
}

/** Index of the first event in `sorted` (newest first) older than `time`; binary search. */
export function indexOlderThan(sorted: readonly EventRecord[], time: number): number {
  let low = 0;
  let high = sorted.length;
  while (low < high) {
    const middle = (low + high) >>> 1;
    const candidate = sorted[middle];
    if (candidate !== undefined && candidate.at >= time) low = middle + 1;
    else high = middle;
  }
  return low;
}

/** Basiq event ids are 64 hex characters; ours are a hash of what the event is about, so they are stable. */
export function eventId(dataset: Dataset, event: EventRecord): string {
  return createHash("sha256")
    .update(`${dataset.seed}|${event.userIndex}|${event.connectionIndex}|${event.type}|${event.at}`)
    .digest("hex");
}

/** Opaque paging cursor: the sort key of the last event on the page. */
export function encodeCursor(event: EventRecord): string {
  return Buffer.from(JSON.stringify([event.at, event.userIndex, event.connectionIndex, event.type])).toString(
    "base64url",
  );
}

export function decodeCursor(cursor: string): EventRecord | undefined {
  try {
    const parsed: unknown = JSON.parse(Buffer.from(cursor, "base64url").toString("utf8"));
    if (!Array.isArray(parsed) || parsed.length !== 4) return undefined;
    const [at, userIndex, connectionIndex, type] = parsed as unknown[];
    if (typeof at !== "number" || typeof userIndex !== "number" || typeof connectionIndex !== "number")
      return undefined;
    if (!EVENT_TYPES.includes(type as EventType)) return undefined;
    return { at, userIndex, connectionIndex, type: type as EventType };
  } catch {
    return undefined;
  }
}
