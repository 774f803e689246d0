import "server-only";

// Users: the directory list, one user's live detail, revealing a masked value. Every function checks the
// policy itself; DTOs carry only what the caller's role may see (no ciphertexts, no blind indexes).
import { createHash } from "node:crypto";
import { isDeepStrictEqual } from "node:util";
import { cache } from "react";

import { eq, getTableColumns, sql } from "drizzle-orm";

import { recordAudit } from "@/lib/audit";
import { requirePermission } from "@/lib/auth/session";
import { can } from "@/lib/auth/policy";
import { basiq } from "@/lib/basiq";
import { decrypt, indexOf, normaliseEmail, normaliseMobile } from "@/lib/crypto";
import { getDb } from "@/lib/db";
import { analyzeSoon } from "@/lib/db/analyze";
import { basiqUsers, type ConnectionSummary } from "@/lib/db/schema";
import { maskEmail, maskMobile } from "@/lib/directory/mask";
import { recordDirectoryUser, type DirectoryUserInput, type StoredName } from "@/lib/directory/record";
import { directoryInputFrom } from "@/lib/directory/sync";
import { directoryInstitutions, searchDirectory, type DirectoryQuery } from "@/lib/directory/search";
import { NotFoundError, UserFacingError } from "@/lib/errors";
import { importUserIds, type ImportRow } from "@/lib/directory/import";
import { directorySyncProgress, startDirectorySync, type SyncProgress } from "@/lib/directory/sync-all";
import { log } from "@/lib/log";
import { consumeQuota, EXACT_LOOKUPS_PER_MINUTE, REVEALS_PER_DAY } from "@/lib/security/quota";

import type { BasiqProblemDTO } from "./basiq-problem";
import { liveUserJobs } from "./live";
import { liveOrStored, pageDeadline } from "./live-or-stored";
import { basiqUserIdSchema } from "./ids";

type Row = typeof basiqUsers.$inferSelect;

export interface UserRowDTO {
  id: string;
  name: string | null;
  maskedEmail: string | null;
  maskedMobile: string | null;
  connectionCount: number;
  worstStatus: string;
  institutionIds: string[];
  lastSyncedAt: string | null;
}

function readName(row: Row): StoredName | null {
  if (!row.nameEnc) return null;
  try {
    return JSON.parse(decrypt(row.nameEnc, { table: "basiq_users", column: "name", rowId: row.id })) as StoredName;
  } catch (e) {
    log.error({ userId: row.id, err: (e as Error).name }, "cannot decrypt a directory name");
    return null;
  }
}

function readField(row: Row, column: "email" | "mobile"): string | null {
  const stored = column === "email" ? row.emailEnc : row.mobileEnc;
  if (!stored) return null;
  try {
    return decrypt(stored, { table: "basiq_users", column, rowId: row.id });
  } catch (e) {
    log.error({ userId: row.id, column, err: (e as Error).name }, "cannot decrypt a directory field");
    return null;
  }
}

export function displayName(name: StoredName | null): string | null {
  if (!name) return null;
  const person = [name.firstName, name.middleName, name.lastName].filter(Boolean).join(" ");
  return person || name.businessName || null;
}

function toRowDTO(row: Row): UserRowDTO {
  const email = readField(row, "email");
  const mobile = readField(row, "mobile");
  return {
    id: row.id,
    name: displayName(readName(row)),
    maskedEmail: email ? maskEmail(email) : null,
    maskedMobile: mobile ? maskMobile(mobile) : null,
    connectionCount: row.connectionCount,
    worstStatus: row.worstConnectionStatus,
    institutionIds: row.institutionIds,
    lastSyncedAt: row.lastSyncedAt?.toISOString() ?? null,
  };
}

/**
 * An exact e-mail or mobile in the search box: what kind, and a hash of its blind index for the audit trail
 * (never the value; not the blind index itself either, which must not reach the audit page). The hash is keyed
 * through the blind index, so an investigator with the keys can tell whether a given number was looked up.
 */
export function exactContactLookup(q: string | undefined): { kind: "email" | "mobile"; queryHash: string } | null {
  const query = q?.trim();
  if (!query) return null;
  const email = query.includes("@") ? normaliseEmail(query) : undefined;
  const mobile = email ? undefined : normaliseMobile(query);
  const kind = email ? "email" : mobile ? "mobile" : null;
  if (!kind) return null;
  const index = indexOf(kind, (email ?? mobile)!);
  return { kind, queryHash: createHash("sha256").update(`audit-lookup:${index}`).digest("hex").slice(0, 16) };
}

export type UserListResult = Awaited<ReturnType<typeof searchDirectory>> extends infer R
  ? Omit<R, "rows"> & { rows: UserRowDTO[]; refusal: string | null }
  : never;

/**
 * The directory list. Exact e-mail/mobile searches are counted per person (30 a minute, one atomic statement)
 * and audited (`users.lookup`, with a hash of the query): without that, the search box would confirm guesses
 * at a masked mobile one after another. Past the limit the search is refused (audited) and the page says why.
 */
export async function listUsers(query: DirectoryQuery): Promise<UserListResult> {
  const caller = await requirePermission("users.read");
  const db = await getDb();
  const lookup = exactContactLookup(query.q);
  if (lookup) {
    const verdict = await consumeQuota(db, caller.id, EXACT_LOOKUPS_PER_MINUTE);
    await recordAudit({
      actor: { id: caller.id, email: caller.email, role: caller.role },
      action: "users.lookup",
      outcome: verdict.allowed ? "success" : "denied",
      details: { kind: lookup.kind, queryHash: lookup.queryHash, ...(verdict.allowed ? {} : { reason: "rate-limit" }) },
    });
    if (!verdict.allowed) {
      const seconds = Math.max(1, Math.ceil((verdict.resetsAt.getTime() - Date.now()) / 1000));
      return {
        rows: [],
        total: 0,
        totalIsCapped: false,
        page: 1,
        pageSize: query.pageSize ?? 25,
        pageCount: 1,
        refusal: `Too many lookups: at most ${verdict.limit} exact e-mail or mobile searches a minute. Try again in ${seconds} s.`,
      };
    }
  }
  const result = await searchDirectory(db, query);
  return { ...result, rows: result.rows.map(toRowDTO), refusal: null };
}

let institutionsCache: { at: number; ids: string[] } | undefined;

export async function listDirectoryInstitutions(): Promise<string[]> {
  await requirePermission("users.read");
  if (institutionsCache && Date.now() - institutionsCache.at < 5 * 60_000) return institutionsCache.ids;
  const ids = await directoryInstitutions(await getDb());
  institutionsCache = { at: Date.now(), ids };
  return ids;
}

export interface ConnectionDTO {
  id: string;
  status: string;
  method: string;
  institutionId: string;
  createdDate: string | null;
  lastUsed: string | null;
}

export interface UserDetailDTO {
  id: string;
  name: string | null;
  maskedEmail: string | null;
  maskedMobile: string | null;
  canReveal: boolean;
  inDirectory: boolean;
  lastSyncedAt: string | null;
  firstSeenAt: string | null;
  /** Live from Basiq; null when the page shows the directory copy (see basiqProblem). */
  connections: ConnectionDTO[] | null;
  /** Directory copy of the connections, shown when Basiq is unavailable. */
  storedConnections: ConnectionSummary[];
  source: "live" | "stored";
  basiqProblem: BasiqProblemDTO | null;
  storedAt: string | null;
}

interface UserView {
  name: string | null;
  maskedEmail: string | null;
  maskedMobile: string | null;
  connections: ConnectionDTO[] | null;
}

/**
 * The directory row of one user, read once per request however many parts of the page ask (tab title, shell,
 * connections section). Callers check the policy first.
 */
export const storedUserRow = cache(async (userId: string): Promise<StoredUserRow | null> => {
  const db = await getDb();
  const [row] = await db
    .select({
      ...getTableColumns(basiqUsers),
      // Which alert watches exist on this user ("" = the user, else a connection id): the watch buttons' state in
      // the same statement (lib/dal/alerts.ts isWatched), so a detail page does not read it separately.
      // (Qualified by hand: drizzle leaves a one-table select's columns unqualified, and "id" would be alert_watches'.)
      watchKeys: sql<string[]>`coalesce((select array_agg(w.connection_id) from alert_watches w where w.user_id = basiq_users.id), '{}')`,
    })
    .from(basiqUsers)
    .where(eq(basiqUsers.id, userId))
    .limit(1);
  return row ?? null;
});

export type StoredUserRow = Row & { watchKeys: string[] };

/** Live user + connections from Basiq, asked at once, once per request however many components ask. */
const fetchLiveUser = cache(async (userId: string) => {
  const client = basiq();
  const signal = pageDeadline().signal;
  const [user, connections] = await Promise.all([
    client.getUser(userId, { userId, signal }),
    client.listConnections(userId, { userId, signal }),
  ]);
  return { user, connections };
});

/** How often an unchanged directory row's last_synced_at is moved forward by page views (one write a minute). */
export const DIRECTORY_TOUCH_INTERVAL_MS = 60_000;

/** True when writing `input` would change nothing in the stored row but its last_synced_at. */
export function sameAsStored(row: Row | null, input: DirectoryUserInput): boolean {
  if (!row || row.deletedAt) return false;
  const email = input.email ? (normaliseEmail(input.email) ?? input.email.trim()) : null;
  const mobile = input.mobile ? (normaliseMobile(input.mobile) ?? input.mobile.trim()) : null;
  const name: StoredName = {
    firstName: input.firstName?.trim() || null,
    middleName: input.middleName?.trim() || null,
    lastName: input.lastName?.trim() || null,
    businessName: input.businessName?.trim() || null,
  };
  const storedName = readName(row);
  const hasName = Object.values(name).some(Boolean);
  if (readField(row, "email") !== email || readField(row, "mobile") !== mobile) return false;
  if (hasName ? !isDeepStrictEqual(storedName, name) : storedName !== null) return false;
  // As jsonb stores them: undefined members dropped (key order does not matter to isDeepStrictEqual).
  return input.connections === null || isDeepStrictEqual(JSON.parse(JSON.stringify(input.connections)), row.connections);
}

/**
 * The directory write-back of a page view: the whole row only when Basiq's answer differs from it; otherwise at
 * most a once-a-minute move of last_synced_at (one statement), and nothing when it was just synced.
 */
async function writeBackDirectoryUser(row: Row | null, input: DirectoryUserInput): Promise<void> {
  const db = await getDb();
  if (!sameAsStored(row, input)) {
    await recordDirectoryUser(db, input, "sync");
    return;
  }
  if (row!.lastSyncedAt && Date.now() - row!.lastSyncedAt.getTime() < DIRECTORY_TOUCH_INTERVAL_MS) return;
  await db.update(basiqUsers).set({ lastSyncedAt: new Date() }).where(eq(basiqUsers.id, row!.id));
}

export async function getUserDetail(rawUserId: string): Promise<UserDetailDTO> {
  const caller = await requirePermission("users.read");
  const parsedId = basiqUserIdSchema.safeParse(rawUserId);
  if (!parsedId.success) throw new NotFoundError("That user");
  const userId = parsedId.data;
  // The directory row is read beside the Basiq calls, not after them.
  const rowRead = storedUserRow(userId);
  rowRead.catch(() => {});

  const result = await liveOrStored<Awaited<ReturnType<typeof fetchLiveUser>>, UserView>({
    what: "That user",
    ids: { userId },
    live: () => fetchLiveUser(userId),
    fromLive: ({ user, connections }) => {
      const input = directoryInputFrom(user, connections);
      return {
        name: displayName({
          firstName: input.firstName ?? null,
          middleName: input.middleName ?? null,
          lastName: input.lastName ?? null,
          businessName: input.businessName ?? null,
        }),
        maskedEmail: user.email ? maskEmail(user.email) : null,
        maskedMobile: user.mobile ? maskMobile(user.mobile) : null,
        connections: connections.map((c) => ({
          id: c.id,
          status: c.status ?? "pending",
          method: c.method,
          institutionId: c.institution.id,
          createdDate: c.createdDate ?? null,
          lastUsed: c.lastUsed ?? null,
        })),
      };
    },
    // Opening a user refreshes their directory entry (after the response: the page does not wait for it).
    writeBack: async ({ user, connections }) => writeBackDirectoryUser(await rowRead, directoryInputFrom(user, connections)),
    stored: async () => {
      const row = await rowRead;
      if (!row) return null;
      const email = readField(row, "email");
      const mobile = readField(row, "mobile");
      return {
        data: {
          name: displayName(readName(row)),
          maskedEmail: email ? maskEmail(email) : null,
          maskedMobile: mobile ? maskMobile(mobile) : null,
          connections: null,
        },
        storedAt: row.lastSyncedAt,
      };
    },
  });

  const row = await rowRead;
  return {
    id: userId,
    ...result.data,
    canReveal: can(caller.role, "pii.reveal"),
    inDirectory: !!row,
    lastSyncedAt: row?.lastSyncedAt?.toISOString() ?? null,
    firstSeenAt: row?.firstSeenAt?.toISOString() ?? null,
    storedConnections: row?.connections ?? [],
    source: result.source,
    basiqProblem: result.problem,
    storedAt: result.storedAt,
  };
}

/** What the user page shows before Basiq answers: the directory's copy (no live connections). */
export type UserShellDTO = Pick<
  UserDetailDTO,
  "id" | "name" | "maskedEmail" | "maskedMobile" | "canReveal" | "inDirectory" | "lastSyncedAt" | "firstSeenAt"
>;

/**
 * The user page's first step (issue 15, issue 18 item 14). Starts every Basiq call the page needs at once (the
 * user, their connections and — for roles that see it — their job history: one round trip), then answers from
 * the directory so the page can stream its shell while the live sections wait for Basiq. A user the directory
 * does not know is decided by Basiq before anything is sent, so an unknown id is a real 404 (NotFoundError).
 */
export async function getUserShell(rawUserId: string): Promise<UserShellDTO> {
  const caller = await requirePermission("users.read");
  const parsedId = basiqUserIdSchema.safeParse(rawUserId);
  if (!parsedId.success) throw new NotFoundError("That user");
  const userId = parsedId.data;
  fetchLiveUser(userId).catch(() => {}); // the connections section reports failures
  if (can(caller.role, "jobs.read")) liveUserJobs(userId, undefined).catch(() => {}); // so does the job history
  const row = await storedUserRow(userId);
  if (!row) {
    const detail = await getUserDetail(userId);
    return {
      id: detail.id,
      name: detail.name,
      maskedEmail: detail.maskedEmail,
      maskedMobile: detail.maskedMobile,
      canReveal: detail.canReveal,
      inDirectory: false,
      lastSyncedAt: null,
      firstSeenAt: null,
    };
  }
  const email = readField(row, "email");
  const mobile = readField(row, "mobile");
  return {
    id: userId,
    name: displayName(readName(row)),
    maskedEmail: email ? maskEmail(email) : null,
    maskedMobile: mobile ? maskMobile(mobile) : null,
    canReveal: can(caller.role, "pii.reveal"),
    inDirectory: true,
    lastSyncedAt: row.lastSyncedAt?.toISOString() ?? null,
    firstSeenAt: row.firstSeenAt?.toISOString() ?? null,
  };
}

/** Support/admin: one unmasked value, audited (SECURITY.md AZ-4). */
export async function revealUserField(userId: string, field: "email" | "mobile"): Promise<string | null> {
  const caller = await requirePermission("pii.reveal");
  const db = await getDb();
  const [row] = await db.select().from(basiqUsers).where(eq(basiqUsers.id, userId)).limit(1);
  if (!row) throw new NotFoundError("That user");
  // Support: at most 50 reveals a (UTC) day per person, counted atomically. Admins are exempt (every reveal is
  // audited all the same); an admin is also who investigates a support member who hits the limit.
  if (caller.role !== "admin") {
    const verdict = await consumeQuota(db, caller.id, REVEALS_PER_DAY);
    if (!verdict.allowed) {
      await recordAudit({
        actor: { id: caller.id, email: caller.email, role: caller.role },
        action: "pii.reveal",
        outcome: "denied",
        userId,
        details: { field, reason: "daily-quota" },
      });
      throw new UserFacingError(
        `Daily reveal limit reached: at most ${verdict.limit} masked values a day. Ask an admin: admins have no daily limit.`,
      );
    }
  }
  const value = readField(row, field);
  await recordAudit({
    actor: { id: caller.id, email: caller.email, role: caller.role },
    action: "pii.reveal",
    outcome: "success",
    userId,
    details: { field },
  });
  return value;
}

/** Support/admin: import pasted or uploaded ids; audited with the counts (the ids themselves are not PII). */
export async function importUsers(text: string): Promise<ImportRow[]> {
  const caller = await requirePermission("users.import");
  let rows: ImportRow[];
  try {
    const db = await getDb();
    rows = await importUserIds(db, basiq(), text);
    analyzeSoon(db, "import"); // coalesced and after the response: the planner sees the new rows
  } catch (e) {
    if (e instanceof RangeError) throw new UserFacingError(e.message);
    throw e;
  }
  const counts: Record<string, number> = {};
  for (const r of rows) counts[r.verdict] = (counts[r.verdict] ?? 0) + 1;
  await recordAudit({
    actor: { id: caller.id, email: caller.email, role: caller.role },
    action: "users.import",
    outcome: "success",
    details: counts,
  });
  return rows;
}

export async function startSync(): Promise<SyncProgress> {
  const caller = await requirePermission("users.sync");
  const before = directorySyncProgress();
  const progress = startDirectorySync(await getDb(), basiq("background"));
  if (!before.running) {
    await recordAudit({
      actor: { id: caller.id, email: caller.email, role: caller.role },
      action: "users.sync",
      outcome: "requested",
    });
  }
  return { ...progress };
}

export async function getSyncProgress(): Promise<SyncProgress> {
  await requirePermission("users.sync");
  return { ...directorySyncProgress() };
}
