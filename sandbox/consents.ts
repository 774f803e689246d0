// CDR consents, one per open-banking connection (core.json "Consents"): created with the connection, lasting 12
// months, ended either by expiry or by the user revoking it (a seeded invalid connection that was invalidated
// before its consent expired, or DELETE /users/{userId}/consents/{consentId} at run time). Pure functions of the
// seed, the state and the clock, like the rest of the sandbox.
import { type SeedConnection } from "./data";
import { type ConnectionView } from "./state";
import { isoDate } from "./wire";

export type ConsentStatus = "active" | "revoked" | "expired";

export interface ConsentView {
  id: string;
  connection: SeedConnection;
  status: ConsentStatus;
  created: number;
  updated: number;
  expiryDate: number;
  /** When the user (or the partner) revoked it; null otherwise. */
  revokedAt: number | null;
}

/**
 * When a seeded consent was revoked by its user, as the events feed tells it (sandbox/events.ts): an invalid
 * open-banking connection whose consent had not expired yet; its newest job's failure is the revocation.
 */
export function seededRevocation(connection: SeedConnection, now: number): number | null {
  if (connection.method !== "openbanking" || connection.status !== "invalid" || connection.expiryDate === null) return null;
  if (connection.expiryDate <= now) return null;
  const newest = connection.jobs[connection.jobs.length - 1];
  return newest && newest.updated <= now ? newest.updated : null;
}

/**
 * The consent behind a connection as the API shows it at `now` (undefined for methods without one).
 * `runtimeRevokedAt` is a revocation made through the API.
 */
export function viewConsent(view: ConnectionView, now: number, runtimeRevokedAt: number | undefined): ConsentView | undefined {
  const { connection } = view;
  if (connection.consentId === null || connection.expiryDate === null) return undefined;
  const revokedAt = seededRevocation(connection, now) ?? runtimeRevokedAt ?? null;
  const expired = revokedAt === null && connection.expiryDate <= now;
  const status: ConsentStatus = revokedAt !== null ? "revoked" : expired ? "expired" : "active";
  const updated = revokedAt ?? (expired ? connection.expiryDate : connection.createdDate + 10_000);
  return {
    id: connection.consentId,
    connection,
    status,
    created: connection.createdDate + 10_000,
    updated,
    expiryDate: connection.expiryDate,
    revokedAt,
  };
}

const PERMISSIONS = [
  {
    scope: "bank:accounts.basic:read",
    entity: "account",
    name: "Account name, type and balance",
    description: "Name of account; type of account; account balance.",
    attributeList: ["Name of account", "Type of account", "Account balance"],
  },
  {
    scope: "bank:accounts.detail:read",
    entity: "account",
    name: "Account numbers and features",
    description: "Account number; interest rates; fees; discounts; account terms; account mail address.",
    attributeList: ["Account number", "Interest rates", "Fees", "Discounts", "Account terms"],
  },
  {
    scope: "bank:transactions:read",
    entity: "transaction",
    name: "Transaction details",
    description: "Incoming and outgoing transactions; amounts; dates; descriptions of transactions.",
    attributeList: ["Incoming and outgoing transactions", "Amounts", "Dates", "Descriptions of transactions"],
  },
] as const;

const PURPOSE = {
  title: "Affordability assessment",
  description: "To check your income and expenses so that we can assess your loan application.",
};

/** One item of GET /users/{userId}/consents. */
export function presentConsent(consent: ConsentView, userUrl: string) {
  return {
    type: "consent",
    id: consent.id,
    created: isoDate(consent.created),
    updated: isoDate(consent.updated),
    expiryDate: isoDate(consent.expiryDate),
    origin: "partner",
    status: consent.status,
    ...(consent.revokedAt !== null ? { revoked: isoDate(consent.revokedAt) } : {}),
    purpose: { primary: PURPOSE, other: false },
    data: {
      retainData: false,
      initialRetrievalDays: 365,
      organisation: false,
      permissions: PERMISSIONS.map((p) => ({
        scope: p.scope,
        required: true,
        consented: true,
        entity: p.entity,
        information: { name: p.name, description: p.description, attributeList: [...p.attributeList] },
        purpose: PURPOSE,
      })),
    },
    links: { self: `${userUrl}/consents/${consent.id}` },
  };
}
