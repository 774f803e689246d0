import "server-only";

// Which server process is alive (issue 14 item 9: "crashes leave records"). Each process has a random instance
// id. On PostgreSQL it holds a session advisory lock keyed by that id on a connection reserved for the purpose:
// when the process dies (even by kill -9) the connection drops and PostgreSQL releases the lock, so any instance
// can tell a dead owner from a live one with one try-lock. The embedded PGlite database is opened by one process
// at a time (lib/db/lock.ts), so there every other instance id is a dead process.
import { randomUUID } from "node:crypto";

import { sql } from "drizzle-orm";

import { rowsOf, type Database } from "./client";
import { ADVISORY_LOCKS } from "./advisory-locks";

const LIVENESS_LOCK_CLASS = ADVISORY_LOCKS.livenessClass; // first key of the two; the second is hashtext(id)

interface ReservedConnection {
  unsafe(query: string, params?: unknown[]): Promise<unknown>;
  release(): void;
}
interface PostgresJsClient {
  reserve(): Promise<ReservedConnection>;
}

const state = globalThis as unknown as {
  basiqConsoleInstance?: { id: string; held: WeakMap<object, Promise<void>> };
};
state.basiqConsoleInstance ??= { id: randomUUID(), held: new WeakMap() };
const instance = state.basiqConsoleInstance;

/** This process's instance id. */
export function instanceId(): string {
  return instance.id;
}

function postgresClientOf(db: Database): PostgresJsClient | null {
  const client = (db as unknown as { $client?: unknown }).$client as Partial<PostgresJsClient> | undefined;
  return client && typeof client.reserve === "function" ? (client as PostgresJsClient) : null;
}

/**
 * PostgreSQL: take this process's liveness lock (once per database client; it is held until the process ends).
 * Must be awaited before recording anything that names this instance. A no-op on PGlite.
 */
export function holdInstanceLiveness(db: Database): Promise<void> {
  const client = postgresClientOf(db);
  if (!client) return Promise.resolve();
  let held = instance.held.get(client);
  if (!held) {
    held = (async () => {
      const reserved = await client.reserve();
      // Shared: several clients of one process (or of one instance id) may each hold it without waiting for each
      // other; a dead owner is one for whom no session holds it, which the exclusive try-lock below detects.
      await reserved.unsafe("select pg_advisory_lock_shared($1, hashtext($2))", [LIVENESS_LOCK_CLASS, instance.id]);
      // Never released: the lock lives exactly as long as this process's connection.
    })();
    held.catch(() => instance.held.delete(client));
    instance.held.set(client, held);
  }
  return held;
}

/** Whether the process of `id` is still running (null id: a record from before instance ids existed → dead). */
export async function isInstanceAlive(db: Database, id: string | null): Promise<boolean> {
  if (id === null) return false;
  if (id === instance.id) return true;
  if (!postgresClientOf(db)) return false; // PGlite: one process, and it is this one
  const result = await db.execute<{ free: boolean }>(
    sql`select case when pg_try_advisory_lock(${LIVENESS_LOCK_CLASS}, hashtext(${id}))
                    then pg_advisory_unlock(${LIVENESS_LOCK_CLASS}, hashtext(${id})) else false end as free`,
  );
  return rowsOf<{ free: boolean }>(result)[0]?.free === false;
}
