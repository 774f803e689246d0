// Test databases: a fresh database per call. With DATABASE_URL (CI) a throwaway database is created on that
// PostgreSQL server and dropped afterwards; otherwise an in-memory PGlite. Both are fully migrated.
import { randomBytes } from "node:crypto";

import { openDatabase, type Database } from "@/lib/db/client";
import { migratePglite, migratePostgres } from "@/lib/db/migrate";

export interface TestDatabase {
  db: Database;
  kind: "postgres" | "pglite";
  url?: string;
  close(): Promise<void>;
}

/** `pgliteThread`: PGlite on a thread of its own, as the server runs it (benchmarks); tests keep it in-process. */
export async function createTestDatabase(options: { pgliteThread?: boolean } = {}): Promise<TestDatabase> {
  const serverUrl = process.env.DATABASE_URL;
  if (!serverUrl) {
    const opened = await openDatabase({ pgliteDir: "memory://", thread: options.pgliteThread });
    await migratePglite(opened.db);
    return { db: opened.db, kind: "pglite", close: opened.close };
  }
  const { default: postgres } = await import("postgres");
  const name = `test_${Date.now()}_${randomBytes(4).toString("hex")}`;
  const admin = postgres(serverUrl, { max: 1, onnotice: () => {} });
  await admin.unsafe(`create database "${name}"`);
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  await migratePostgres(url.toString());
  const opened = await openDatabase({ databaseUrl: url.toString() });
  return {
    db: opened.db,
    kind: "postgres",
    url: url.toString(),
    async close() {
      await opened.close();
      await admin.unsafe(`drop database if exists "${name}" with (force)`);
      await admin.end({ timeout: 5 });
    },
  };
}
