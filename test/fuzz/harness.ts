// The fuzz tests' world: an in-process sandbox wired to the Basiq client, a fresh migrated database, and the
// two side-effect detectors every case is checked with — a fingerprint of every table (row count + hash of its
// rows) and the sandbox's per-route request counters.
import { sql } from "drizzle-orm";

import type { TestDatabase } from "@/test/db";

import { contracts, type FuzzValue } from "./corpus";

export const GENERIC_MESSAGE = /Something went wrong/i;
/** A stack frame or a Node/Next internal path: never in anything a caller receives. */
export const STACK_TRACE = /\n\s+at [^\n]+:\d+:\d+|node_modules\/|webpack-internal:|\.next\/server\//;

export interface World {
  t: TestDatabase;
  sandboxUrl: string;
  close(): Promise<void>;
  /** Sandbox users: a target user with an active connection, another user with a connection of its own. */
  target: { userId: string; connectionId: string };
  other: { userId: string; connectionId: string };
  jobId: string | null;
}

const sentToSandbox = new Map<string, number>();

export async function startWorld(): Promise<World> {
  const { createTestDatabase } = await import("@/test/db");
  const { startSandbox } = await import("@/sandbox/server");
  const { resetEnvForTests } = await import("@/lib/env");
  const { basiq, resetBasiqClientForTests, setBasiqFetchForTests } = await import("@/lib/basiq");
  const dbClient = await import("@/lib/db/client");

  const sandbox = await startSandbox({ port: 0, users: 30 });
  // The sandbox counts requests per known route only; count every request the process sends it as well, so a
  // request to a path no route matches (a garbled id in the URL) is caught too.
  const { undiciFetch } = await import("@/lib/basiq/undici-fetch");
  setBasiqFetchForTests(async (url, init) => {
    if (url.startsWith(sandbox.url) && !new URL(url).pathname.startsWith("/__sandbox/")) {
      const key = `${init.method.toUpperCase()} (any path)`;
      sentToSandbox.set(key, (sentToSandbox.get(key) ?? 0) + 1);
    }
    return undiciFetch(url, init);
  });
  process.env.BASIQ_API_URL = sandbox.url;
  delete process.env.BASIQ_API_KEY;
  resetEnvForTests();
  resetBasiqClientForTests();
  const t = await createTestDatabase();
  dbClient.useDatabaseForTests(t.db);

  const ids = ((await (await fetch(`${sandbox.url}/__sandbox/users?limit=30`)).json()) as { ids: string[] }).ids;
  const owned: { userId: string; connectionId: string }[] = [];
  for (const userId of ids) {
    const c = (await basiq().listConnections(userId)).find((x) => x.status === "active");
    if (c) owned.push({ userId, connectionId: c.id });
    if (owned.length === 2) break;
  }
  if (owned.length < 2) throw new Error("the sandbox data has fewer than two users with an active connection");
  let jobId: string | null = null;
  try {
    const personas = (await (await fetch(`${sandbox.url}/__sandbox/personas`)).json()) as { failedJobId: string | null }[];
    jobId = personas.find((p) => p.failedJobId)?.failedJobId ?? null;
  } catch {
    jobId = null;
  }
  return {
    t,
    sandboxUrl: sandbox.url,
    target: owned[0]!,
    other: owned[1]!,
    jobId,
    async close() {
      await t.close();
      await sandbox.close();
    },
  };
}

export async function sandboxStats(world: World): Promise<Record<string, number>> {
  // Once more on a reset: a kept-alive socket can be closed by the sandbox just as it is reused.
  for (let attempt = 0; ; attempt++) {
    try {
      const perRoute = (await (await fetch(`${world.sandboxUrl}/__sandbox/stats`)).json()) as Record<string, number>;
      return { ...perRoute, ...Object.fromEntries(sentToSandbox) };
    } catch (e) {
      if (attempt >= 2) throw e;
    }
  }
}

/** Routes whose counter went up between two stats readings. */
export function statsDiff(before: Record<string, number>, after: Record<string, number>): Record<string, number> {
  const diff: Record<string, number> = {};
  for (const [key, n] of Object.entries(after)) if (n !== (before[key] ?? 0)) diff[key] = n - (before[key] ?? 0);
  return diff;
}

/** Audit rows a refusal may add by design (an action's onRefused): only these, only with a refusal outcome. */
export interface AuditAllowance {
  afterId: number;
  actions: readonly string[];
}

/** Row count and md5 of all rows of every table in the database (any schema but the system ones). */
export async function fingerprint(world: World, allowance?: AuditAllowance): Promise<Record<string, string>> {
  const { rowsOf } = await import("@/lib/db/client");
  const tables = rowsOf<{ s: string; n: string }>(
    await world.t.db.execute(
      sql`select table_schema as s, table_name as n from information_schema.tables
          where table_type = 'BASE TABLE' and table_schema not in ('pg_catalog', 'information_schema') order by 1, 2`,
    ),
  );
  const out: Record<string, string> = {};
  for (const { s, n } of tables) {
    const from = sql.raw(`"${s.replace(/"/g, '""')}"."${n.replace(/"/g, '""')}"`);
    const skip =
      s === "public" && n === "audit_events" && allowance
        ? sql`where not (t.id > ${allowance.afterId} and t.outcome in ('denied', 'refused') and t.action in (${sql.join(
            allowance.actions.map((a) => sql`${a}`),
            sql`, `,
          )}))`
        : sql``;
    const [row] = rowsOf<{ n: number | string; h: string | null }>(
      await world.t.db.execute(sql`select count(*) as n, md5(coalesce(string_agg(t::text, '|' order by t::text), '')) as h from ${from} t ${skip}`),
    );
    out[`${s}.${n}`] = `${row?.n}:${row?.h}`;
  }
  return out;
}

export async function lastAuditId(world: World): Promise<number> {
  const { rowsOf } = await import("@/lib/db/client");
  const [row] = rowsOf<{ m: number | string | null }>(await world.t.db.execute(sql`select max(id) as m from audit_events`));
  return Number(row?.m ?? 0);
}

export function changedTables(before: Record<string, string>, after: Record<string, string>): string[] {
  const keys = new Set([...Object.keys(before), ...Object.keys(after)]);
  return [...keys].filter((k) => before[k] !== after[k]);
}

/** A short, printable description of a fuzz value (1 MB strings are not printed). */
export function describe(value: unknown): string {
  if (typeof value === "string") return value.length > 60 ? `string(${value.length}) ${JSON.stringify(value.slice(0, 40))}…` : JSON.stringify(value);
  if (value instanceof FormData) return `FormData(${[...value.keys()].join(",")})`;
  try {
    const s = JSON.stringify(value, (_k, v: unknown) => (typeof v === "bigint" ? `${v}n` : v));
    return s && s.length > 80 ? `${s.slice(0, 80)}…` : String(s);
  } catch {
    return Object.prototype.toString.call(value);
  }
}

export type Expectation = "malformed" | "well-formed";

/**
 * Split a field's corpus by a contract written down independently of the code under test: values the contract
 * calls well-formed either go to the "well-formed but wrong" bucket (ids: they reach the data-access layer and
 * must be refused there) or are dropped (free text: a valid value is not a fuzz case).
 */
export function classify(
  values: FuzzValue[],
  isWellFormed: (v: unknown) => boolean,
  wellFormedBucket: boolean,
): { label: string; value: unknown; expect: Expectation }[] {
  const out: { label: string; value: unknown; expect: Expectation }[] = [];
  for (const v of values) {
    if (!isWellFormed(v.value)) out.push({ ...v, expect: "malformed" });
    else if (wellFormedBucket) out.push({ ...v, expect: "well-formed" });
  }
  return out;
}

export { contracts };
