import "server-only";

// The consent side of Basiq events, called for every new event by the one event-processing path
// (lib/directory/events.ts: the events sync, and webhook deliveries routed through it):
// - consent.revoked, consent.expired, user.deleted → the user's personal data in the console is de-identified
//   (lib/consents/deidentify.ts), and the stored consents updated;
// - consent.created / updated / warning / reminder → the user's consents are re-read (one Basiq call) so the
//   /consents page lists the ones expiring soon.
import type { BasiqClient } from "@/lib/basiq/client";
import { basiq } from "@/lib/basiq";
import { isBasiqNotFound } from "@/lib/basiq/errors";
import { getDb, type Database } from "@/lib/db";

import { deidentifyUser, isDeidentifyingEvent, type DeidentifyResult } from "./deidentify";
import { endStoredConsents, refreshUserConsents } from "./store";

export interface ConsentEvent {
  id: string;
  /** `entity.eventType`, e.g. `consent.revoked`. */
  type: string;
  userId: string;
}

export type ConsentEventOutcome =
  | { handled: false }
  | { handled: true; deidentified: DeidentifyResult | null; consentsRefreshed: boolean };

/** Whether `handleConsentEvent` does anything for this event type. */
export function isConsentRelevant(type: string): boolean {
  return type.startsWith("consent.") || type === "user.deleted";
}

/**
 * Handles one event (idempotent: the caller's ledger makes it run once per event id, and running it twice changes
 * nothing more). Throws when the database or Basiq fails, so the caller can release the event for a retry.
 */
export async function handleConsentEvent(
  event: ConsentEvent,
  deps: { db?: Database; client?: BasiqClient } = {},
): Promise<ConsentEventOutcome> {
  if (!isConsentRelevant(event.type)) return { handled: false };
  const db = deps.db ?? (await getDb());
  const client = deps.client ?? basiq("background");

  let deidentified: DeidentifyResult | null = null;
  if (isDeidentifyingEvent(event.type)) {
    // Erase first: nothing Basiq says (or fails to say) afterwards can delay it.
    deidentified = await deidentifyUser(db, event.userId, { id: event.id, type: event.type });
  }
  if (event.type === "user.deleted") {
    await endStoredConsents(db, event.userId, "revoked");
    return { handled: true, deidentified, consentsRefreshed: false };
  }
  try {
    await refreshUserConsents(db, client, event.userId, "event");
    return { handled: true, deidentified, consentsRefreshed: true };
  } catch (e) {
    if (isBasiqNotFound(e)) {
      await endStoredConsents(db, event.userId, "revoked");
      return { handled: true, deidentified, consentsRefreshed: false };
    }
    throw e;
  }
}
