import "server-only";

// Applies drizzle/ migrations. On PostgreSQL a session advisory lock, held on a dedicated single connection,
// makes concurrent starts of several instances safe.
import path from "node:path";

import type { Database } from "./client";

const MIGRATION_LOCK = 4_812_001; // arbitrary constant shared by every instance of the console

export function migrationsFolder(): string {
  return path.join(process.cwd(), "drizzle");
}

export async function migratePostgres(databaseUrl: string): Promise<void> {
  const { default: postgres } = await import("postgres");
  const { drizzle } = await import("drizzle-orm/postgres-js");
  const { migrate } = await import("drizzle-orm/postgres-js/migrator");
  const client = postgres(databaseUrl, { max: 1, onnotice: () => {}, connect_timeout: 10 });
  try {
    await client`select pg_advisory_lock(${MIGRATION_LOCK})`;
    await migrate(drizzle(client), { migrationsFolder: migrationsFolder() });
    await client`select pg_advisory_unlock(${MIGRATION_LOCK})`;
  } finally {
    await client.end({ timeout: 5 });
  }
}

export async function migratePglite(db: Database): Promise<void> {
  const { migrate } = await import("drizzle-orm/pglite/migrator");
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- the pglite migrator wants its own driver type
  await migrate(db as any, { migrationsFolder: migrationsFolder() });
}
