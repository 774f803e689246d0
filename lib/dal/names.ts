import "server-only";

// Names instead of ids for display: bank names from our stored copy of Basiq's connector list (institution id →
// name), and a person's name from the directory (for tab titles and breadcrumbs). Ids stay on the page as
// secondary text with a copy button.
import { eq, inArray } from "drizzle-orm";
import { cache } from "react";

import { requirePermission, requireStaff } from "@/lib/auth/session";
import { decrypt } from "@/lib/crypto";
import { getDb } from "@/lib/db";
import { basiqUsers, connectors } from "@/lib/db/schema";
import type { StoredName } from "@/lib/directory/record";
import { log } from "@/lib/log";

import { basiqUserIdSchema } from "./ids";
import { displayName } from "./users";

/** Institution id → bank name (shortName when Basiq gives one), for every signed-in role. Once per request. */
export const getInstitutionNames = cache(async (): Promise<Record<string, string>> => {
  await requireStaff();
  const db = await getDb();
  const rows = await db
    .selectDistinctOn([connectors.id], { id: connectors.id, name: connectors.name, shortName: connectors.shortName })
    .from(connectors)
    .orderBy(connectors.id);
  return Object.fromEntries(rows.map((r) => [r.id, r.shortName?.trim() || r.name]));
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
  const db = await getDb();
  const [row] = await db
    .select({ id: basiqUsers.id, nameEnc: basiqUsers.nameEnc })
    .from(basiqUsers)
    .where(eq(basiqUsers.id, parsed.data))
    .limit(1);
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
