import "server-only";

// Names instead of ids for display: bank names from our stored copy of Basiq's connector list (institution id →
// name), and a person's name from the directory (for tab titles and breadcrumbs). Ids stay on the page as
// secondary text with a copy button.
import { inArray } from "drizzle-orm";
import { cache } from "react";

import { outsideRequest } from "@/lib/async-context";
import { requirePermission, requireStaff } from "@/lib/auth/session";
import { decrypt } from "@/lib/crypto";
import { getDb } from "@/lib/db";
import { basiqUsers, connectors } from "@/lib/db/schema";
import type { StoredName } from "@/lib/directory/record";
import { log } from "@/lib/log";

import { basiqUserIdSchema } from "./ids";
import { displayName, storedUserRow } from "./users";

/** Bank names change rarely: the process keeps them this long (a page does not re-read them every time). */
export const INSTITUTION_NAMES_TTL_MS = 60_000;
const institutionNamesMemo: { at: number; names: Promise<Record<string, string>> | null } = { at: 0, names: null };

/** Institution id → bank name (shortName when Basiq gives one), for every signed-in role. */
export const getInstitutionNames = cache(async (): Promise<Record<string, string>> => {
  await requireStaff();
  if (!institutionNamesMemo.names || Date.now() - institutionNamesMemo.at >= INSTITUTION_NAMES_TTL_MS) {
    institutionNamesMemo.at = Date.now();
    // Kept for a minute across requests: started outside this one, so it does not keep this page view in memory.
    institutionNamesMemo.names = outsideRequest(async () => {
      const db = await getDb();
      const rows = await db
        .selectDistinctOn([connectors.id], { id: connectors.id, name: connectors.name, shortName: connectors.shortName })
        .from(connectors)
        .orderBy(connectors.id);
      return Object.fromEntries(rows.map((r) => [r.id, r.shortName?.trim() || r.name]));
    });
    institutionNamesMemo.names.catch(() => {
      institutionNamesMemo.names = null; // a failed read is not kept
    });
  }
  return institutionNamesMemo.names;
});

function nameOf(row: { id: string; nameEnc: string | null }): string | null {
  if (!row.nameEnc) return null;
  try {
    return displayName(JSON.parse(decrypt(row.nameEnc, { table: "basiq_users", column: "name", rowId: row.id })) as StoredName);
  } catch (e) {
    log.error({ userId: row.id, err: (e as Error).name }, "cannot decrypt a directory name");
    return null;
  }
}

/** A person's name from the directory (no Basiq call), or null when unknown; for roles that may open users. */
export const getStoredUserName = cache(async (rawUserId: string): Promise<string | null> => {
  await requirePermission("users.read");
  const parsed = basiqUserIdSchema.safeParse(rawUserId);
  if (!parsed.success) return null;
  // The same read as the user page's own (storedUserRow: once per request).
  const row = await storedUserRow(parsed.data);
  return row ? nameOf(row) : null;
});

/** Names of several users at once (e.g. the audit log's targets): id → name for those the directory knows. */
export async function getStoredUserNames(rawUserIds: string[]): Promise<Record<string, string>> {
  await requirePermission("users.read");
  const ids = [...new Set(rawUserIds)].filter((id) => basiqUserIdSchema.safeParse(id).success);
  if (ids.length === 0) return {};
  const db = await getDb();
  const rows = await db.select({ id: basiqUsers.id, nameEnc: basiqUsers.nameEnc }).from(basiqUsers).where(inArray(basiqUsers.id, ids));
  const out: Record<string, string> = {};
  for (const row of rows) {
    const name = nameOf(row);
    if (name) out[row.id] = name;
  }
  return out;
}
