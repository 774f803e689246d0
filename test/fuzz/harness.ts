// The fuzz tests' world: an in-process sandbox wired to the Basiq client, a fresh migrated database, and the
// two side-effect detectors every case is checked with — a fingerprint of every table (row count + hash of its
// rows) and the sandbox's per-route request counters.
import { sql } from "drizzle-orm";

import type { TestDatabase } from "@/test/db";

import type { FuzzValue } from "./corpus";

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

export async function startWorld(): Promise<World> {
  const { createTestDatabase } = await import("@/test/db");
  const { startSandbox } = await import("@/sandbox/server");
  const { resetEnvForTests } = await import("@/lib/env");
  const { basiq, resetBasiqClientForTests } = await import("@/lib/basiq");
  const dbClient = await import("@/lib/db/client");

  const sandbox = await startSandbox({ port: 0, users: 30 });
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
      return (await (await fetch(`${world.sandboxUrl}/__sandbox/stats`)).json()) as Record<string, number>;
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

/** The contracts (as the README and SECURITY.md BL-1 state them), for `classify`. */
export const contracts = {
  /** Basiq ids: letters, digits, - and _, 1–64, surrounding white space ignored. */
  opaqueId: (v: unknown) => typeof v === "string" && /^[A-Za-z0-9_-]{1,64}$/.test(v.trim()),
  uuid: (v: unknown) => typeof v === "string" && /^[0-9a-f]{8}-[0-9a-f]{4}-[1-8][0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/i.test(v),
  /** Anything that might pass as an e-mail address: dropped from the malformed cases. */
  maybeEmail: (v: unknown) => typeof v === "string" && v.trim().length <= 254 && /^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(v.trim()),
  oneOf:
    (...allowed: string[]) =>
    (v: unknown) =>
      typeof v === "string" && allowed.includes(v),
  /** A display name: 1–120 characters after trimming, printable (no control, bidi-override or lone surrogate). */
  displayName: (v: unknown) =>
    typeof v === "string" &&
    v.trim().length >= 1 &&
    v.trim().length <= 120 &&
    !/[\u0000-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/.test(v.trim()) &&
    v.isWellFormed(),
  /** A new password: empty (= generate one) or 12–1024 characters. */
  newPassword: (v: unknown) => v === undefined || v === null || v === "" || (typeof v === "string" && v.length >= 12 && v.length <= 1024),
  /** An id list holds at least one line with a cell that looks like an id. */
  idList: (v: unknown) =>
    typeof v === "string" &&
    v.split(/\r?\n/).some((line) => line.split(/[,;\t]/).some((cell) => /^[A-Za-z0-9_-]{1,64}$/.test(cell.trim().replace(/^"(.*)"$/, "$1").trim()))),
};
