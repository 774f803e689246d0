import "server-only";

// Applies drizzle/ migrations. On PostgreSQL a session advisory lock, held on a dedicated single connection,
// makes concurrent starts of several instances safe.
import path from "node:path";

import type { Database } from "./client";
import { grantRuntimeRole } from "./roles";
import { ADVISORY_LOCKS } from "./advisory-locks";

const MIGRATION_LOCK = ADVISORY_LOCKS.migration;

export function migrationsFolder(): string {
  return path.join(process.cwd(), "drizzle");
}

/**
 * Migrates as the role of `databaseUrl` (the owner). With a `runtimeUrl` of another role (DATABASE_URL when
 * DATABASE_MIGRATION_URL is set), that role is then granted what the console needs and no more (lib/db/roles.ts).
 */
export async function migratePostgres(databaseUrl: string, options: { runtimeUrl?: string } = {}): Promise<void> {
  const { default: postgres } = await import("postgres");
  const { drizzle } = await import("drizzle-orm/postgres-js");
  const { migrate } = await import("drizzle-orm/postgres-js/migrator");
  const client = postgres(databaseUrl, { max: 1, onnotice: () => {}, connect_timeout: 10 });
  try {
    await client`select pg_advisory_lock(${MIGRATION_LOCK})`;
    await migrate(drizzle(client), { migrationsFolder: migrationsFolder() });
    let runtimeRole: string | undefined;
    if (options.runtimeUrl && options.runtimeUrl !== databaseUrl) {
      const runtime = postgres(options.runtimeUrl, { max: 1, onnotice: () => {}, connect_timeout: 10 });
      try {
        const [{ role } = { role: "" }] = await runtime<{ role: string }[]>`select current_user as role`;
        const [{ owner } = { owner: "" }] = await client<{ owner: string }[]>`select current_user as owner`;
        if (role && role !== owner) {
          await grantRuntimeRole(client, role);
          runtimeRole = role;
        }
      } finally {
        await runtime.end({ timeout: 5 });
      }
    }
    // The job engine's schema (pgboss) and queues, created by this (owner) role; the runtime role gets DML only.
    const { installQueueSchema } = await import("@/lib/queue/engine");
    const { queueDefinitions } = await import("@/lib/queue/registry");
    await installQueueSchema(databaseUrl, queueDefinitions, runtimeRole);
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
