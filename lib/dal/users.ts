import "server-only";

// Users: the directory list, one user's live detail, revealing a masked value. Every function checks the
// policy itself; DTOs carry only what the caller's role may see (no ciphertexts, no blind indexes).
import { cache } from "react";

import { eq } from "drizzle-orm";

import { recordAudit } from "@/lib/audit";
import { requirePermission } from "@/lib/auth/session";
import { can } from "@/lib/auth/policy";
import { basiq } from "@/lib/basiq";
import { BasiqApiError, isBasiqError } from "@/lib/basiq/errors";
import { decrypt } from "@/lib/crypto";
import { getDb } from "@/lib/db";
import { analyzeSoon } from "@/lib/db/analyze";
import { basiqUsers, type ConnectionSummary } from "@/lib/db/schema";
import { maskEmail, maskMobile } from "@/lib/directory/mask";
import { recordDirectoryUser, type StoredName } from "@/lib/directory/record";
import { directoryInputFrom } from "@/lib/directory/sync";
import { directoryInstitutions, searchDirectory, type DirectoryQuery } from "@/lib/directory/search";
import { NotFoundError, UserFacingError } from "@/lib/errors";
import { importUserIds, type ImportRow } from "@/lib/directory/import";
import { directorySyncProgress, startDirectorySync, type SyncProgress } from "@/lib/directory/sync-all";
import { log } from "@/lib/log";

import { basiqProblem } from "./basiq-problem";
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

export async function listUsers(query: DirectoryQuery) {
  await requirePermission("users.read");
  const db = await getDb();
  const result = await searchDirectory(db, query);
  return { ...result, rows: result.rows.map(toRowDTO) };
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
  /** Live from Basiq; null when Basiq could not be reached (see basiqProblem). */
  connections: ConnectionDTO[] | null;
  /** Directory copy of the connections, shown when Basiq is unavailable. */
  storedConnections: ConnectionSummary[];
  basiqProblem: { message: string; correlationId: string | null } | null;
}

/** Live user + connections from Basiq, once per request however many components ask. */
const fetchLiveUser = cache(async (userId: string) => {
  const client = basiq();
  const [user, connections] = await Promise.allSettled([
    client.getUser(userId, { userId }),
    client.listConnections(userId, { userId }),
  ]);
  return { user, connections };
});

export async function getUserDetail(rawUserId: string): Promise<UserDetailDTO> {
  const caller = await requirePermission("users.read");
  const parsedId = basiqUserIdSchema.safeParse(rawUserId);
  if (!parsedId.success) throw new NotFoundError("That user");
  const userId = parsedId.data;
  const db = await getDb();
  const [[row], live] = await Promise.all([
    db.select().from(basiqUsers).where(eq(basiqUsers.id, userId)).limit(1),
    fetchLiveUser(userId),
  ]);

  const userNotFound = live.user.status === "rejected" && live.user.reason instanceof BasiqApiError && live.user.reason.status === 404;
  if (userNotFound && !row) throw new NotFoundError("That user");

  let current: Row | undefined = row;
  if (live.user.status === "fulfilled" && live.connections.status === "fulfilled") {
    // Opening a user refreshes their directory entry: the list then shows what staff just saw.
    await recordDirectoryUser(db, directoryInputFrom(live.user.value, live.connections.value), "sync");
    [current] = await db.select().from(basiqUsers).where(eq(basiqUsers.id, userId)).limit(1);
  }

  const failure =
    live.user.status === "rejected" && !userNotFound
      ? live.user.reason
      : live.connections.status === "rejected"
        ? live.connections.reason
        : null;
  const problem = failure ? basiqProblem(failure) : null;
  if (failure) {
    log.warn(
      { userId, correlationId: isBasiqError(failure) ? failure.correlationId : undefined },
      "user page rendered from the directory: Basiq call failed",
    );
  }

  const email = current ? readField(current, "email") : null;
  const mobile = current ? readField(current, "mobile") : null;
  return {
    id: userId,
    name: current ? displayName(readName(current)) : null,
    maskedEmail: email ? maskEmail(email) : null,
    maskedMobile: mobile ? maskMobile(mobile) : null,
    canReveal: can(caller.role, "pii.reveal"),
    inDirectory: !!current,
    lastSyncedAt: current?.lastSyncedAt?.toISOString() ?? null,
    firstSeenAt: current?.firstSeenAt?.toISOString() ?? null,
    connections:
      live.connections.status === "fulfilled"
        ? live.connections.value.map((c) => ({
            id: c.id,
            status: c.status ?? "pending",
            method: c.method,
            institutionId: c.institution.id,
            createdDate: c.createdDate ?? null,
            lastUsed: c.lastUsed ?? null,
          }))
        : null,
    storedConnections: current?.connections ?? [],
    basiqProblem: problem,
  };
}

/** Support/admin: one unmasked value, audited (SECURITY.md AZ-4). */
export async function revealUserField(userId: string, field: "email" | "mobile"): Promise<string | null> {
  const caller = await requirePermission("pii.reveal");
  const db = await getDb();
  const [row] = await db.select().from(basiqUsers).where(eq(basiqUsers.id, userId)).limit(1);
  if (!row) throw new NotFoundError("That user");
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
