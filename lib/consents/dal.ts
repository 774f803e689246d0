import "server-only";

import { createHash } from "node:crypto";

// Data access for the consent pages: authorization checked here (lib/auth/policy.ts), DTOs out (no ciphertext, no
// raw Basiq objects). The user page reads the user's consents live (one GET /users/{userId}/consents) and stores
// them on the way; when Basiq cannot answer it shows the stored copy with the problem.
import { and, asc, count, desc, eq, gt, inArray, lte } from "drizzle-orm";

import { can } from "@/lib/auth/policy";
import { requirePermission } from "@/lib/auth/session";
import { basiq } from "@/lib/basiq";
import { isBasiqError } from "@/lib/basiq/errors";
import type { Consent } from "@/lib/basiq/schemas";
import { decrypt } from "@/lib/crypto";
import { basiqProblem, type BasiqProblemDTO } from "@/lib/dal/basiq-problem";
import { basiqUserIdSchema } from "@/lib/dal/ids";
import { storedUserRow } from "@/lib/dal/users";
import { getDb } from "@/lib/db";
import { basiqUsers, consents as consentsTable } from "@/lib/db/schema";
import { maskEmail, maskMobile } from "@/lib/directory/mask";
import { NotFoundError } from "@/lib/errors";
import { log } from "@/lib/log";
import type { ConsentsSearch } from "@/lib/search-params";

import { EXPIRY_WINDOW_MS, storeUserConsents, type StoredConsent } from "./store";

const DAY_MS = 24 * 3600_000;

export interface ConsentDTO {
  id: string;
  status: string | null;
  created: string | null;
  expiryDate: string | null;
  revoked: string | null;
  purpose: string | null;
  purposeDetail: string | null;
  /** Permission names (or scopes when Basiq sent no name). */
  permissions: string[];
  retainData: boolean | null;
  /** Whole days until expiry (negative once expired); null without an expiry date. */
  daysToExpiry: number | null;
}

export interface UserConsentsDTO {
  consents: ConsentDTO[];
  /** Live from Basiq, or the stored copy when Basiq could not answer (`problem` says why). */
  source: "live" | "stored";
  problem: BasiqProblemDTO | null;
  /** Set when the console erased the user's personal details, and why. */
  deidentified: { at: string; event: string } | null;
  canRevoke: boolean;
  /** When the caller signed in (epoch ms): the revoke dialog asks for the password past 15 minutes. */
  signedInAt: number;
}

export function daysUntil(iso: string | null | undefined, now = Date.now()): number | null {
  if (!iso) return null;
  const at = Date.parse(iso);
  return Number.isFinite(at) ? Math.floor((at - now) / DAY_MS) : null;
}

function fromLive(consent: Consent, now: number): ConsentDTO {
  return {
    id: consent.id,
    status: consent.status ?? null,
    created: consent.created ?? null,
    expiryDate: consent.expiryDate ?? null,
    revoked: consent.revoked ?? null,
    purpose: consent.purpose?.primary?.title ?? null,
    purposeDetail: consent.purpose?.primary?.description ?? null,
    permissions: (consent.data?.permissions ?? [])
      .map((p) => p.information?.name ?? p.scope)
      .filter((p): p is string => typeof p === "string" && p.length > 0),
    retainData: consent.data?.retainData ?? null,
    daysToExpiry: daysUntil(consent.expiryDate, now),
  };
}

function fromStored(row: StoredConsent, now: number): ConsentDTO {
  const expiry = row.expiresAt?.toISOString() ?? null;
  return {
    id: row.id,
    status: row.status,
    created: row.createdAt?.toISOString() ?? null,
    expiryDate: expiry,
    revoked: row.revokedAt?.toISOString() ?? null,
    purpose: row.purpose,
    purposeDetail: null,
    permissions: row.scopes,
    retainData: null,
    daysToExpiry: daysUntil(expiry, now),
  };
}

// A page view writes the user's consents back only when Basiq's answer differs from what this process last wrote
// for the user, or that write is over PAGE_WRITE_FRESH_MS old (another instance, the sweep or a consent event may
// have written since): a repeat view costs no statement. Bounded: the oldest entries go first.
const PAGE_WRITE_FRESH_MS = 10 * 60_000;
const PAGE_WRITES_MAX = 5_000;
const pageWrites = new Map<string, { digest: string; at: number }>();

function digestOf(list: readonly Consent[]): string {
  return createHash("sha256")
    .update(JSON.stringify([...list].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0))))
    .digest("base64");
}

function pageWriteNeeded(userId: string, live: readonly Consent[], now: number): boolean {
  const last = pageWrites.get(userId);
  if (last && now - last.at < PAGE_WRITE_FRESH_MS && last.digest === digestOf(live)) return false;
  pageWrites.delete(userId); // re-inserted at the end when written (Map order = age)
  while (pageWrites.size >= PAGE_WRITES_MAX) pageWrites.delete(pageWrites.keys().next().value!);
  return true;
}

/** Tests: forget which consents this process wrote. */
export function forgetConsentPageWritesForTests(): void {
  pageWrites.clear();
}

export async function getUserConsents(rawUserId: string): Promise<UserConsentsDTO> {
  const caller = await requirePermission("users.read");
  const parsed = basiqUserIdSchema.safeParse(rawUserId);
  if (!parsed.success) throw new NotFoundError("That user");
  const userId = parsed.data;
  const db = await getDb();
  const now = Date.now();
  // The page's directory row (read once per request) says whether the user was de-identified.
  const row = await storedUserRow(userId);
  const deidentified = row?.deidentifiedAt ? { at: row.deidentifiedAt.toISOString(), event: row.deidentifiedBy ?? "unknown event" } : null;
  const canRevoke = can(caller.role, "consents.revoke");
  const signedInAt = caller.signedInAt;
  try {
    const live = await basiq().listConsents(userId, { userId });
    if (pageWriteNeeded(userId, live, now)) {
      await storeUserConsents(db, userId, live, "page").then(
        () => pageWrites.set(userId, { digest: digestOf(live), at: now }),
        (e: unknown) => log.warn({ userId, err: e instanceof Error ? e.name : "unknown" }, "could not store the user's consents"),
      );
    }
    return { consents: live.map((c) => fromLive(c, now)), source: "live", problem: null, deidentified, canRevoke, signedInAt };
  } catch (e) {
    if (!isBasiqError(e)) throw e;
    const stored = await db.select().from(consentsTable).where(inArray(consentsTable.userId, [userId]));
    return { consents: stored.map((row) => fromStored(row, now)), source: "stored", problem: basiqProblem(e), deidentified, canRevoke, signedInAt };
  }
}

export interface ExpiringConsentDTO {
  consentId: string;
  userId: string;
  expiryDate: string;
  daysToExpiry: number;
  purpose: string | null;
  maskedEmail: string | null;
  maskedMobile: string | null;
  /** The text support can paste into an e-mail or SMS to the user. */
  message: string;
}

/** The message to the user whose consent expires soon (no personal data: the partner's app fills in the greeting). */
export function reminderMessage(expiryDate: string, purpose: string | null): string {
  const day = new Date(expiryDate).toLocaleDateString("en-AU", { day: "numeric", month: "long", year: "numeric", timeZone: "Australia/Sydney" });
  return (
    `Your consent to share your bank data with us${purpose ? ` (for: ${purpose})` : ""} ends on ${day}. ` +
    "To keep your account connected, open the app and renew your consent before then. " +
    "If you do nothing, we will stop receiving your bank data and delete the data we hold from it."
  );
}

function decryptField(row: { id: string }, column: "email" | "mobile", stored: string | null): string | null {
  if (!stored) return null;
  try {
    return decrypt(stored, { table: "basiq_users", column, rowId: row.id });
  } catch (e) {
    log.error({ userId: row.id, column, err: (e as Error).name }, "cannot decrypt a directory field");
    return null;
  }
}

export const EXPIRING_PAGE_SIZE = 25;

export interface ExpiringConsentsPage {
  rows: ExpiringConsentDTO[];
  /** Consents matching the filters, and this page's place among them. */
  total: number;
  page: number;
  pageCount: number;
  pageSize: number;
}

/**
 * /consents: active consents expiring within the chosen days (at most the stored 7-day window), soonest first or
 * by user, one page at a time with the user's masked contact. The list is small (a week of expiries): offset pages.
 */
export async function listExpiringConsents(search: ConsentsSearch, now = Date.now()): Promise<ExpiringConsentsPage> {
  await requirePermission("consents.read");
  const db = await getDb();
  const windowMs = Math.min(search.within * DAY_MS, EXPIRY_WINDOW_MS);
  const where = and(
    eq(consentsTable.status, "active"),
    gt(consentsTable.expiresAt, new Date(now)),
    lte(consentsTable.expiresAt, new Date(now + windowMs)),
    search.userId ? eq(consentsTable.userId, search.userId) : undefined,
  );
  const reverse = search.dir === "reverse";
  const order =
    search.sort === "user"
      ? [reverse ? desc(consentsTable.userId) : asc(consentsTable.userId), asc(consentsTable.expiresAt), asc(consentsTable.id)]
      : [reverse ? desc(consentsTable.expiresAt) : asc(consentsTable.expiresAt), asc(consentsTable.id)];
  const [counted] = await db.select({ n: count() }).from(consentsTable).where(where);
  const total = counted?.n ?? 0;
  const pageCount = Math.max(1, Math.ceil(total / EXPIRING_PAGE_SIZE));
  const page = Math.min(search.page, pageCount);
  const soon = await db
    .select()
    .from(consentsTable)
    .where(where)
    .orderBy(...order)
    .limit(EXPIRING_PAGE_SIZE)
    .offset((page - 1) * EXPIRING_PAGE_SIZE);
  const userIds = [...new Set(soon.map((c) => c.userId))];
  const users =
    userIds.length === 0
      ? []
      : await db
          .select({ id: basiqUsers.id, emailEnc: basiqUsers.emailEnc, mobileEnc: basiqUsers.mobileEnc })
          .from(basiqUsers)
          .where(inArray(basiqUsers.id, userIds));
  const byId = new Map(users.map((u) => [u.id, u]));
  const rows = soon.map((c) => {
    const user = byId.get(c.userId);
    const email = user ? decryptField(user, "email", user.emailEnc) : null;
    const mobile = user ? decryptField(user, "mobile", user.mobileEnc) : null;
    const expiryDate = c.expiresAt!.toISOString();
    return {
      consentId: c.id,
      userId: c.userId,
      expiryDate,
      daysToExpiry: Math.max(0, daysUntil(expiryDate, now) ?? 0),
      purpose: c.purpose,
      maskedEmail: email ? maskEmail(email) : null,
      maskedMobile: mobile ? maskMobile(mobile) : null,
      message: reminderMessage(expiryDate, c.purpose),
    };
  });
  return { rows, total, page, pageCount, pageSize: EXPIRING_PAGE_SIZE };
}
