import "server-only";

// Backfill of the name-prefix blind indexes (migration 0010) for directory rows written before they existed.
// The HMAC key lives in the application, not the database, so SQL cannot do it: each name is decrypted, split into
// words and its prefixes indexed, in batches, resuming from a cursor (sync_cursors "name-prefixes") after a
// restart. Rows written since are indexed by recordDirectoryUser itself; re-indexing one is harmless.
import { and, asc, eq, gt, isNotNull } from "drizzle-orm";

import { decrypt, nameWords } from "@/lib/crypto";
import type { Database } from "@/lib/db";
import { basiqUsers, syncCursors } from "@/lib/db/schema";
import { log } from "@/lib/log";

import { writeNamePrefixes, type StoredName } from "./record";

export const NAME_PREFIX_CURSOR = "name-prefixes";
const DONE = "done";

/** Indexes every remaining row; returns how many rows it indexed (0 once the backfill has finished). */
export async function backfillNamePrefixes(db: Database, options: { batchSize?: number } = {}): Promise<number> {
  const batchSize = options.batchSize ?? 500;
  const [stored] = await db.select({ cursor: syncCursors.cursor }).from(syncCursors).where(eq(syncCursors.name, NAME_PREFIX_CURSOR));
  if (stored?.cursor === DONE) return 0;
  let cursor = stored?.cursor ?? "";
  let indexed = 0;
  for (;;) {
    const rows = await db
      .select({ id: basiqUsers.id, nameEnc: basiqUsers.nameEnc })
      .from(basiqUsers)
      .where(and(gt(basiqUsers.id, cursor), isNotNull(basiqUsers.nameEnc)))
      .orderBy(asc(basiqUsers.id))
      .limit(batchSize);
    const last = rows.at(-1)?.id;
    await db.transaction(async (tx) => {
      for (const row of rows) {
        let name: StoredName;
        try {
          name = JSON.parse(decrypt(row.nameEnc!, { table: "basiq_users", column: "name", rowId: row.id })) as StoredName;
        } catch (e) {
          // Unreadable under the current keys: skipped (a re-sync rewrites it, prefixes included).
          log.error({ userId: row.id, err: (e as Error).name }, "name-prefix backfill cannot decrypt a directory name");
          continue;
        }
        await writeNamePrefixes(tx, row.id, nameWords(name.firstName, name.middleName, name.lastName, name.businessName));
        indexed++;
      }
      const next = rows.length < batchSize ? DONE : last!;
      await tx
        .insert(syncCursors)
        .values({ name: NAME_PREFIX_CURSOR, cursor: next })
        .onConflictDoUpdate({ target: syncCursors.name, set: { cursor: next, updatedAt: new Date() } });
    });
    if (rows.length < batchSize) break;
    cursor = last!;
  }
  if (indexed > 0) log.info({ users: indexed }, "name-prefix search indexes backfilled");
  return indexed;
}
