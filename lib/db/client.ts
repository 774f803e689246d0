import "server-only";

// The one database client of the process: postgres.js when DATABASE_URL is set, embedded PGlite otherwise.
// Kept on globalThis so Next's dev reloads reuse it. PGlite holds a single data directory open, so it must be
// closed on shutdown (see closeDatabase, called from instrumentation.ts and the CLIs).
import { mkdirSync } from "node:fs";
import path from "node:path";

import type { PGlite as PGliteClient } from "@electric-sql/pglite";
import type { PgDatabase, PgQueryResultHKT } from "drizzle-orm/pg-core";

import { env } from "@/lib/env";
import { log } from "@/lib/log";

import { acquireDirectoryLock } from "./lock";
import { queryCounter } from "./query-count";
import * as schema from "./schema";

export type Database = PgDatabase<PgQueryResultHKT, typeof schema>;

interface OpenDatabase {
  db: Database;
  kind: "postgres" | "pglite";
  close(): Promise<void>;
}

const globalForDb = globalThis as unknown as { basiqConsoleDb?: Promise<OpenDatabase> };

export async function openDatabase(options: {
  databaseUrl?: string;
  pgliteDir?: string;
  /**
   * PGlite only: run it on its own thread (lib/db/pglite-remote.ts). The server does, so that statements never
   * run on the thread answering HTTP; the CLIs and tests keep it in-process.
   */
  thread?: boolean;
}): Promise<OpenDatabase> {
  if (options.databaseUrl) {
    const { default: postgres } = await import("postgres");
    const { drizzle } = await import("drizzle-orm/postgres-js");
    const sqlClient = postgres(options.databaseUrl, { max: 10, onnotice: () => {}, connect_timeout: 10 });
    const db = drizzle(sqlClient, { schema, logger: queryCounter }) as unknown as Database;
    return { db, kind: "postgres", close: () => sqlClient.end({ timeout: 5 }) };
  }
  const { PGlite } = await import("@electric-sql/pglite");
  const { drizzle } = await import("drizzle-orm/pglite");
  const dir = options.pgliteDir ?? "memory://";
  let release = () => {};
  if (!dir.startsWith("memory://")) {
    mkdirSync(dir, { recursive: true });
    release = acquireDirectoryLock(`${dir}.lock`);
  }
  try {
    if (options.thread) {
      const { PgliteThread } = await import("./pglite-remote");
      const thread = await PgliteThread.open(dir);
      const db = drizzle(thread as unknown as PGliteClient, { schema, logger: queryCounter }) as unknown as Database;
      return {
        db,
        kind: "pglite",
        async close() {
          await thread.close();
          release();
        },
      };
    }
    const client = await PGlite.create(dir);
    const db = drizzle(client, { schema, logger: queryCounter }) as unknown as Database;
    return {
      db,
      kind: "pglite",
      async close() {
        await client.close();
        release();
      },
    };
  } catch (e) {
    release();
    throw e;
  }
}

function openFromEnv(): Promise<OpenDatabase> {
  const e = env();
  const opened = openDatabase({ databaseUrl: e.databaseUrl, pgliteDir: path.join(e.dataDir, "pglite"), thread: true });
  opened.then(
    (o) => log.info({ kind: o.kind }, "database opened"),
    () => {
      globalForDb.basiqConsoleDb = undefined; // let the next caller try again
    },
  );
  return opened;
}

/** The process-wide database. */
export async function getDb(): Promise<Database> {
  globalForDb.basiqConsoleDb ??= openFromEnv();
  return (await globalForDb.basiqConsoleDb).db;
}

export async function databaseKind(): Promise<"postgres" | "pglite"> {
  globalForDb.basiqConsoleDb ??= openFromEnv();
  return (await globalForDb.basiqConsoleDb).kind;
}

/** Tests: run the code under test against this database instead of the configured one. */
export function useDatabaseForTests(db: Database): void {
  globalForDb.basiqConsoleDb = Promise.resolve({ db, kind: "pglite", close: async () => {} });
}

export async function closeDatabase(): Promise<void> {
  const open = globalForDb.basiqConsoleDb;
  globalForDb.basiqConsoleDb = undefined;
  if (open) await (await open).close();
}

/** Rows of a raw `db.execute` result: postgres.js returns an array, PGlite an object with `rows`. */
export function rowsOf<T>(result: unknown): T[] {
  if (Array.isArray(result)) return result as T[];
  return ((result as { rows?: T[] }).rows ?? []) as T[];
}

