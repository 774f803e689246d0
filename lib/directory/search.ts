import "server-only";

// Directory search over encrypted data. What the search box accepts, tried together (OR):
//   an e-mail (exact, via its blind index) · a mobile in any common AU format (exact, E.164 blind index)
//   · a user id or id prefix (any case) · one or more name words or name-word prefixes of at least 3 letters (each
//   must match, via the name-word and name-prefix blind indexes).
// Filters (AND): a connection status the user has, an institution the user is connected to.
import {
  and,
  asc,
  count,
  desc,
  eq,
  getTableColumns,
  inArray,
  isNull,
  like,
  sql,
  type SQL,
} from "drizzle-orm";
import { alias } from "drizzle-orm/pg-core";

import { indexOf, nameQueryPurpose, nameWords, normaliseEmail, normaliseMobile } from "@/lib/crypto";
import { rowsOf, type Database } from "@/lib/db";
import { basiqUserNamePrefixes, basiqUserNameWords, basiqUsers, connectors, jobRuns } from "@/lib/db/schema";

export const userSorts = ["recent", "id", "connections", "status"] as const;
export type UserSort = (typeof userSorts)[number];

export interface DirectoryQuery {
  q?: string;
  status?: string;
  institution?: string;
  sort?: UserSort;
  /** "reverse": the sort's own order turned around. */
  dir?: "reverse";
  page?: number;
  pageSize?: number;
}

const ID_PREFIX = /^[A-Za-z0-9_-]{2,64}$/;

/** basiq_users again, under another name, for the candidate lookups inside the search condition. */
const match = alias(basiqUsers, "match");
const fromMatch = sql`${basiqUsers} as ${sql.identifier("match")}`;

/**
 * The users a search-box query matches, as `id in (<candidate ids>)`: each kind of match is its own indexed
 * lookup (email blind index, mobile blind index, id prefix, name-word blind indexes), and the lookups are unioned.
 * Not written as ORed conditions on purpose: an OR that includes a name-word subquery cannot use any index, so
 * every search read every user (bench/directory.bench.ts, 100,000 users: an exact id took ~350 ms at p95 on
 * PGlite, a mobile over a second). As a set, the planner fetches the few candidates by primary key.
 */
/** Name searches consider at most this many matching users (see searchCondition). */
export const NAME_MATCH_CAP = 1_000;

export function searchCondition(q: string): SQL | undefined {
  const query = q.trim();
  if (!query) return undefined;
  const candidates: SQL[] = [];
  const email = query.includes("@") ? normaliseEmail(query) : undefined;
  if (email)
    candidates.push(
      sql`select ${match.id} from ${fromMatch} where ${eq(match.emailIdx, indexOf("email", email))}`,
    );
  const mobile = normaliseMobile(query);
  if (mobile) {
    candidates.push(
      sql`select ${match.id} from ${fromMatch} where ${eq(match.mobileIdx, indexOf("mobile", mobile))}`,
    );
  }
  if (ID_PREFIX.test(query)) {
    // Basiq's ids are lower-case UUIDs, but people paste them from tickets in capitals: try both spellings.
    for (const spelling of new Set([query, query.toLowerCase()])) {
      candidates.push(
        sql`select ${match.id} from ${fromMatch} where ${like(match.id, `${spelling.replace(/[\\%_]/g, "\\$&")}%`)}`,
      );
    }
  }
  if (!email) {
    const words = nameWords(query).slice(0, 5);
    if (words.length > 0) {
      // Users having every word: the (word, user) rows of all the words, grouped by user, kept when all are there
      // (the primary key makes each pair unique). Not an INTERSECT: PostgreSQL estimates an intersection as big as
      // its smaller side, so two common words ("oliver smith", ~100 matches) were planned for thousands and read
      // every user (~200 ms on PGlite at 100,000 users).
      // A word of 3 to 10 letters is looked up among the name-word prefixes ("oli" finds Olivia and Oliver; the
      // whole word is one of its own prefixes), a shorter or longer one among the whole words. Each query word
      // gives one index in one table (their HMAC purposes differ), so "every word" is still a count per user.
      const byPurpose = { name: [] as string[], "name-prefix": [] as string[] };
      for (const w of words) byPurpose[nameQueryPurpose(w)].push(indexOf(nameQueryPurpose(w), w));
      const lookups: SQL[] = [];
      if (byPurpose.name.length > 0)
        lookups.push(
          sql`select ${basiqUserNameWords.userId} as user_id from ${basiqUserNameWords} where ${inArray(basiqUserNameWords.wordIdx, byPurpose.name)}`,
        );
      if (byPurpose["name-prefix"].length > 0)
        lookups.push(
          sql`select ${basiqUserNamePrefixes.userId} as user_id from ${basiqUserNamePrefixes} where ${inArray(basiqUserNamePrefixes.prefixIdx, byPurpose["name-prefix"])}`,
        );
      // At most NAME_MATCH_CAP + 1 name matches are considered: a word shared by thousands of users ("james") is
      // answered in bounded time with "1,000+ matches: add a surname", instead of reading every match to sort them.
      candidates.push(
        words.length === 1
          ? sql`(${lookups[0]!} limit ${NAME_MATCH_CAP + 1})`
          : sql`(select user_id from (${sql.join(lookups, sql` union all `)}) as words
              group by user_id having count(*) = ${words.length} limit ${NAME_MATCH_CAP + 1})`,
      );
    }
  }
  // Nothing recognisable (e.g. punctuation only): match nothing rather than everything.
  return candidates.length > 0
    ? sql`${basiqUsers.id} in (${sql.join(candidates, sql` union all `)})`
    : sql`false`;
}

/** Each order and its reverse (clicking a sorted column again): both walk the same index, one of them backwards. */
function orderBy(sort: UserSort, reverse = false) {
  const id = reverse ? desc(basiqUsers.id) : asc(basiqUsers.id);
  switch (sort) {
    case "id":
      return [id];
    case "connections":
      return [reverse ? sql`${basiqUsers.connectionCount} asc nulls first` : sql`${basiqUsers.connectionCount} desc nulls last`, id];
    case "status": {
      const rank = sql`array_position(array['invalid','pending','pre-init','active','none']::text[], ${basiqUsers.worstConnectionStatus})`;
      return [reverse ? sql`${rank} desc` : rank, id];
    }
    default:
      return [reverse ? sql`${basiqUsers.lastSyncedAt} asc nulls first` : sql`${basiqUsers.lastSyncedAt} desc nulls last`, id];
  }
}

/** Beyond this many matches the list says "10,000+" instead of counting every row. */
export const COUNT_CAP = 10_000;

export async function searchDirectory(db: Database, query: DirectoryQuery) {
  const pageSize = Math.min(Math.max(query.pageSize ?? 25, 1), 100);
  const page = Math.max(query.page ?? 1, 1);
  const search = query.q ? searchCondition(query.q) : undefined;
  const where = and(
    isNull(basiqUsers.deletedAt),
    search,
    query.status ? sql`${basiqUsers.connectionStatuses} @> array[${query.status}]::text[]` : undefined,
    query.institution ? sql`${basiqUsers.institutionIds} @> array[${query.institution}]::text[]` : undefined,
  );
  const order = orderBy(query.sort ?? "recent", query.dir === "reverse");
  const offset = (page - 1) * pageSize;
  // Totals are counted up to COUNT_CAP: "10,000+ users" is as useful as an exact figure and costs a bounded scan.
  const countAll = async () =>
    (
      await db
        .select({ total: count() })
        .from(db.select({ one: sql`1` }).from(basiqUsers).where(where).limit(COUNT_CAP + 1).as("capped"))
    )[0]?.total ?? 0;

  let rows: (typeof basiqUsers.$inferSelect)[];
  let total: number;
  if (search) {
    // A search has few candidates, each fetched by primary key: one pass gives the page and (as a window count)
    // the total, rather than fetching every candidate twice. Past the last page there is no row to carry it.
    const found = await db
      .select({ ...getTableColumns(basiqUsers), matches: sql<number>`count(*) over ()`.mapWith(Number) })
      .from(basiqUsers)
      .where(where)
      .orderBy(...order)
      .limit(pageSize)
      .offset(offset);
    rows = found.map(({ matches: _matches, ...row }) => row);
    total = found[0]?.matches ?? (offset > 0 ? await countAll() : 0);
    if (total > NAME_MATCH_CAP) {
      return { rows, total: NAME_MATCH_CAP, totalIsCapped: true, page, pageSize, pageCount: Math.ceil(total / pageSize) };
    }
  } else {
    // The whole directory or a filter: the page comes from an index walk that stops after `pageSize` rows.
    [rows, total] = await Promise.all([
      db
        .select()
        .from(basiqUsers)
        .where(where)
        .orderBy(...order)
        .limit(pageSize)
        .offset(offset),
      countAll(),
    ]);
  }
  return {
    rows,
    total: Math.min(total, COUNT_CAP),
    totalIsCapped: total > COUNT_CAP,
    page,
    pageSize,
    pageCount: Math.max(1, Math.ceil(Math.min(total, COUNT_CAP + 1) / pageSize)),
  };
}

/** Institutions present in the directory, for the filter menu. */
export async function directoryInstitutions(db: Database): Promise<string[]> {
  const rows = await db.execute<{ id: string }>(
    sql`select distinct unnest(${basiqUsers.institutionIds}) as id from ${basiqUsers} order by 1 limit 500`,
  );
  return rowsOf<{ id: string }>(rows).map((r) => r.id);
}

/** Something the search box names directly rather than a set of users: the page to open, or the filter to apply. */
export type SearchTarget =
  | { kind: "connection"; connectionId: string; userId: string }
  | { kind: "job"; jobId: string; userId: string; connectionId: string | null }
  | { kind: "institution"; institutionId: string; name: string };

const OPAQUE_ID = /^[A-Za-z0-9_-]{6,64}$/;

/**
 * A connection id or a job id (any case) → that connection or job; a bank's name, short name or institution id →
 * its institution (the users list filters by it). Each is one indexed lookup: job_runs by primary key and by
 * connection, basiq_users.connections through its jsonb_path_ops GIN index, connectors by name.
 */
export async function findSearchTarget(db: Database, q: string): Promise<SearchTarget | null> {
  const query = q.trim();
  if (!query || query.length > 200) return null;
  if (OPAQUE_ID.test(query)) {
    const spellings = [...new Set([query, query.toLowerCase()])];
    const [job] = await db
      .select({ id: jobRuns.id, userId: jobRuns.userId, connectionId: jobRuns.connectionId })
      .from(jobRuns)
      .where(inArray(jobRuns.id, spellings))
      .limit(1);
    if (job) return { kind: "job", jobId: job.id, userId: job.userId, connectionId: job.connectionId };
    for (const id of spellings) {
      const [owner] = await db
        .select({ userId: basiqUsers.id })
        .from(basiqUsers)
        .where(and(isNull(basiqUsers.deletedAt), sql`${basiqUsers.connections} @> ${JSON.stringify([{ id }])}::jsonb`))
        .limit(1);
      if (owner) return { kind: "connection", connectionId: id, userId: owner.userId };
      const [seen] = await db
        .select({ userId: jobRuns.userId })
        .from(jobRuns)
        .where(eq(jobRuns.connectionId, id))
        .limit(1);
      if (seen) return { kind: "connection", connectionId: id, userId: seen.userId };
    }
  }
  if (/^[\p{L}\p{N}][\p{L}\p{N} &'.()-]{1,99}$/u.test(query)) {
    const [bank] = await db
      .select({ id: connectors.id, name: connectors.name })
      .from(connectors)
      .where(
        sql`lower(${connectors.name}) = lower(${query}) or lower(${connectors.shortName}) = lower(${query}) or ${connectors.id} = upper(${query})`,
      )
      .orderBy(asc(connectors.id))
      .limit(1);
    if (bank) return { kind: "institution", institutionId: bank.id, name: bank.name };
  }
  return null;
}
