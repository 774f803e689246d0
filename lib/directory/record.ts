import "server-only";

// Writing one Basiq user into the directory: personal fields encrypted, blind indexes for search, a summary of
// connection states for the list page. Name words and their prefixes are replaced in the same transaction, so a
// row is never half-written.
import { eq, sql } from "drizzle-orm";

import { encrypt, indexOf, namePrefixes, nameWords, normaliseEmail, normaliseMobile } from "@/lib/crypto";
import type { Database } from "@/lib/db";
import {
  basiqUserNamePrefixes,
  basiqUserNameWords,
  basiqUsers,
  connectionStatusRank,
  type ConnectionSummary,
  type WorstConnectionStatus,
} from "@/lib/db/schema";
import { CONNECTION_STATUS, DIRECTORY_STATUS_BUCKET, isKnown } from "@/lib/vocabulary";

export interface DirectoryUserInput {
  id: string;
  email?: string | null;
  mobile?: string | null;
  firstName?: string | null;
  middleName?: string | null;
  lastName?: string | null;
  businessName?: string | null;
  /** null when the connections could not be fetched: the previous summary is kept. */
  connections: ConnectionSummary[] | null;
}

export interface StoredName {
  firstName: string | null;
  middleName: string | null;
  lastName: string | null;
  businessName: string | null;
}

export function worstStatus(connections: ConnectionSummary[]): WorstConnectionStatus {
  let worst = 0;
  for (const c of connections) {
    const bucket = isKnown(CONNECTION_STATUS, c.status) ? DIRECTORY_STATUS_BUCKET[c.status] : "pending";
    if (bucket === null) continue; // a deleted connection does not count
    worst = Math.max(worst, connectionStatusRank.indexOf(bucket));
  }
  return connectionStatusRank[worst]!;
}

const field = (rowId: string, column: string) => ({ table: "basiq_users", column, rowId });

export async function recordDirectoryUser(
  db: Database,
  input: DirectoryUserInput,
  source: "sync" | "import" | "event" | "seed",
): Promise<"added" | "updated"> {
  const email = input.email ? normaliseEmail(input.email) ?? input.email.trim() : null;
  const mobile = input.mobile ? normaliseMobile(input.mobile) ?? input.mobile.trim() : null;
  const name: StoredName = {
    firstName: input.firstName?.trim() || null,
    middleName: input.middleName?.trim() || null,
    lastName: input.lastName?.trim() || null,
    businessName: input.businessName?.trim() || null,
  };
  const hasName = Object.values(name).some(Boolean);
  const words = nameWords(name.firstName, name.middleName, name.lastName, name.businessName);

  const values = {
    emailEnc: email ? encrypt(email, field(input.id, "email")) : null,
    emailIdx: email ? indexOf("email", email) : null,
    mobileEnc: mobile ? encrypt(mobile, field(input.id, "mobile")) : null,
    mobileIdx: mobile ? indexOf("mobile", mobile) : null,
    nameEnc: hasName ? encrypt(JSON.stringify(name), field(input.id, "name")) : null,
    lastSyncedAt: new Date(),
    deletedAt: null,
    ...(input.connections
      ? {
          connections: input.connections,
          connectionCount: input.connections.length,
          worstConnectionStatus: worstStatus(input.connections),
          institutionIds: [...new Set(input.connections.map((c) => c.institutionId).filter((v): v is string => !!v))],
          connectionStatuses: [...new Set(input.connections.map((c) => c.status))],
        }
      : {}),
  };

  // A de-identified user (lib/consents/deidentify.ts) keeps no personal field: the update writes null instead.
  const unlessDeidentified = (value: string | null) =>
    sql`case when ${basiqUsers.deidentifiedAt} is null then ${value}::text else null end`;
  const set = {
    ...values,
    emailEnc: unlessDeidentified(values.emailEnc),
    emailIdx: unlessDeidentified(values.emailIdx),
    mobileEnc: unlessDeidentified(values.mobileEnc),
    mobileIdx: unlessDeidentified(values.mobileIdx),
    nameEnc: unlessDeidentified(values.nameEnc),
  };

  return db.transaction(async (tx) => {
    const [row] = await tx
      .insert(basiqUsers)
      .values({ id: input.id, source, ...values })
      .onConflictDoUpdate({ target: basiqUsers.id, set })
      .returning({ inserted: sql<boolean>`(xmax = 0)`, deidentifiedAt: basiqUsers.deidentifiedAt });
    await tx.delete(basiqUserNameWords).where(eq(basiqUserNameWords.userId, input.id));
    if (words.length > 0 && !row?.deidentifiedAt) {
      await tx
        .insert(basiqUserNameWords)
        .values(words.map((w) => ({ userId: input.id, wordIdx: indexOf("name", w) })))
        .onConflictDoNothing();
    }
    await writeNamePrefixes(tx, input.id, words);
    return row?.inserted ? "added" : "updated";
  });
}

/** Replaces one user's name-prefix blind indexes (inside the caller's transaction). */
export async function writeNamePrefixes(db: Database, userId: string, words: string[]): Promise<void> {
  await db.delete(basiqUserNamePrefixes).where(eq(basiqUserNamePrefixes.userId, userId));
  const prefixes = namePrefixes(words);
  if (prefixes.length > 0) {
    await db
      .insert(basiqUserNamePrefixes)
      .values(prefixes.map((p) => ({ userId, prefixIdx: indexOf("name-prefix", p) })))
      .onConflictDoNothing();
  }
}
