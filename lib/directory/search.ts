import "server-only";

// Directory search over encrypted data. What the search box accepts, tried together (OR):
//   an e-mail (exact, via its blind index) · a mobile in any common AU format (exact, E.164 blind index)
//   · a user id or id prefix · one or more name words (each must match, via name-word blind indexes).
// Filters (AND): a connection status the user has, an institution the user is connected to.
import { and, asc, count, desc, eq, isNull, like, or, sql, type SQL } from "drizzle-orm";

import { indexOf, nameWords, normaliseEmail, normaliseMobile } from "@/lib/crypto";
import { rowsOf, type Database } from "@/lib/db";
import { basiqUserNameWords, basiqUsers } from "@/lib/db/schema";

export const userSorts = ["recent", "id", "connections", "status"] as const;
export type UserSort = (typeof userSorts)[number];

export interface DirectoryQuery {
  q?: string;
  status?: string;
  institution?: string;
  sort?: UserSort;
  page?: number;
  pageSize?: number;
}

const ID_PREFIX = /^[A-Za-z0-9_-]{2,64}$/;

export function searchCondition(q: string): SQL | undefined {
  const query = q.trim();
  if (!query) return undefined;
  const clauses: SQL[] = [];
  const email = query.includes("@") ? normaliseEmail(query) : undefined;
  if (email) clauses.push(eq(basiqUsers.emailIdx, indexOf("email", email)));
  const mobile = normaliseMobile(query);
  if (mobile) clauses.push(eq(basiqUsers.mobileIdx, indexOf("mobile", mobile)));
  if (ID_PREFIX.test(query)) clauses.push(like(basiqUsers.id, `${query.replace(/[\\%_]/g, "\\$&")}%`));
  if (!email) {
    const words = nameWords(query).slice(0, 5);
    if (words.length > 0) {
      clauses.push(
        and(
          ...words.map(
            (w) =>
              sql`exists (select 1 from ${basiqUserNameWords} where ${basiqUserNameWords.wordIdx} = ${indexOf("name", w)} and ${basiqUserNameWords.userId} = ${basiqUsers.id})`,
          ),
        )!,
      );
    }
  }
  // Nothing recognisable (e.g. punctuation only): match nothing rather than everything.
  return clauses.length > 0 ? or(...clauses) : sql`false`;
}

function orderBy(sort: UserSort) {
  switch (sort) {
    case "id":
      return [asc(basiqUsers.id)];
    case "connections":
      return [desc(basiqUsers.connectionCount), asc(basiqUsers.id)];
    case "status":
      return [
        sql`array_position(array['invalid','pending','pre-init','active','none']::text[], ${basiqUsers.worstConnectionStatus})`,
        asc(basiqUsers.id),
      ];
    default:
      return [sql`${basiqUsers.lastSyncedAt} desc nulls last`, asc(basiqUsers.id)];
  }
}

export async function searchDirectory(db: Database, query: DirectoryQuery) {
  const pageSize = Math.min(Math.max(query.pageSize ?? 25, 1), 100);
  const page = Math.max(query.page ?? 1, 1);
  const where = and(
    isNull(basiqUsers.deletedAt),
    query.q ? searchCondition(query.q) : undefined,
    query.status ? sql`${basiqUsers.connectionStatuses} @> array[${query.status}]::text[]` : undefined,
    query.institution ? sql`${basiqUsers.institutionIds} @> array[${query.institution}]::text[]` : undefined,
  );
  const [rows, totals] = await Promise.all([
    db
      .select()
      .from(basiqUsers)
      .where(where)
      .orderBy(...orderBy(query.sort ?? "recent"))
      .limit(pageSize)
      .offset((page - 1) * pageSize),
    db.select({ total: count() }).from(basiqUsers).where(where),
  ]);
  const total = totals[0]?.total ?? 0;
  return { rows, total, page, pageSize, pageCount: Math.max(1, Math.ceil(total / pageSize)) };
}

/** Institutions present in the directory, for the filter menu. */
export async function directoryInstitutions(db: Database): Promise<string[]> {
  const rows = await db.execute<{ id: string }>(
    sql`select distinct unnest(${basiqUsers.institutionIds}) as id from ${basiqUsers} order by 1 limit 500`,
  );
  return rowsOf<{ id: string }>(rows).map((r) => r.id);
}
