import "server-only";

// The consents table: each of a user's consents as last read from Basiq (GET /users/{userId}/consents, one call).
// Upserted by consent id, so the user page, a consent event and the sweep can all refresh it; the /consents page
// reads the active ones expiring soon from here.
import { and, asc, eq, gt, inArray, lte, notInArray } from "drizzle-orm";

import type { BasiqClient } from "@/lib/basiq/client";
import type { Consent } from "@/lib/basiq/schemas";
import type { Database } from "@/lib/db";
import { consents } from "@/lib/db/schema";

export type ConsentSource = "page" | "event" | "sweep";

/** consent.warning comes 7 days before expiry (BASIQ.md): the /consents page shows that window. */
export const EXPIRY_WINDOW_MS = 7 * 24 * 3600_000;

function parseDate(value: string | null | undefined): Date | null {
  if (!value) return null;
  const time = Date.parse(value);
  return Number.isFinite(time) ? new Date(time) : null;
}

export function consentRowValues(userId: string, consent: Consent, source: ConsentSource) {
  return {
    id: consent.id,
    userId,
    status: consent.status ?? null,
    createdAt: parseDate(consent.created),
    expiresAt: parseDate(consent.expiryDate),
    revokedAt: parseDate(consent.revoked),
    purpose: consent.purpose?.primary?.title ?? null,
    scopes: (consent.data?.permissions ?? []).map((p) => p.scope).filter((s): s is string => typeof s === "string"),
    lastSeenAt: new Date(),
    source,
  };
}

/**
 * Stores the consents Basiq listed for the user; consents of this user no longer listed are removed (a deleted
 * connection takes its consent with it).
 */
export async function storeUserConsents(db: Database, userId: string, list: readonly Consent[], source: ConsentSource): Promise<void> {
  const rows = list.map((consent) => consentRowValues(userId, consent, source));
  await db.transaction(async (tx) => {
    if (rows.length > 0) {
      for (const row of rows) {
        const { id: _id, ...set } = row;
        await tx.insert(consents).values(row).onConflictDoUpdate({ target: consents.id, set });
      }
    }
    await tx
      .delete(consents)
      .where(and(eq(consents.userId, userId), rows.length > 0 ? notInArray(consents.id, rows.map((r) => r.id)) : undefined));
  });
}

/**
 * Reads the user's consents from Basiq (one call) and stores them. For the sweep (lib/jobs) and consent events:
 * `refreshUserConsents(db, client, userId, "sweep")`.
 */
export async function refreshUserConsents(db: Database, client: BasiqClient, userId: string, source: ConsentSource = "sweep"): Promise<Consent[]> {
  const list = await client.listConsents(userId, { userId });
  await storeUserConsents(db, userId, list, source);
  return list;
}

/** Marks the stored consents of a deleted user as ended (Basiq no longer answers for them). */
export async function endStoredConsents(db: Database, userId: string, status: string): Promise<void> {
  await db.update(consents).set({ status, lastSeenAt: new Date() }).where(and(eq(consents.userId, userId), inArray(consents.status, ["active"])));
}

export type StoredConsent = typeof consents.$inferSelect;

/** Active consents expiring between now and now + 7 days, soonest first. */
export async function consentsExpiringSoon(db: Database, now = Date.now(), limit = 500): Promise<StoredConsent[]> {
  return db
    .select()
    .from(consents)
    .where(and(eq(consents.status, "active"), gt(consents.expiresAt, new Date(now)), lte(consents.expiresAt, new Date(now + EXPIRY_WINDOW_MS))))
    .orderBy(asc(consents.expiresAt), asc(consents.id))
    .limit(limit);
}
