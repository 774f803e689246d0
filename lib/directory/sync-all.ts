import "server-only";

// Re-syncing every user in the directory from Basiq (GET /users/{id} + connections), in id order with a keyset
// cursor so a run can be watched and a crash loses nothing already written. One run at a time per process.
import { and, asc, gt, isNull } from "drizzle-orm";

import type { BasiqClient } from "@/lib/basiq/client";
import { isBasiqKeyRefused, KEY_REFUSED_MESSAGE } from "@/lib/basiq/errors";
import type { Database } from "@/lib/db";
import { basiqUsers } from "@/lib/db/schema";
import { analyzeDatabase } from "@/lib/db/analyze";
import { log } from "@/lib/log";

import { forEachLimited, syncDirectoryUser } from "./sync";

export interface SyncProgress {
  running: boolean;
  startedAt: string | null;
  finishedAt: string | null;
  checked: number;
  total: number;
  updated: number;
  notFound: number;
  failed: number;
  /** Why the run stopped before the end (Basiq looked down), or null. */
  stopped: string | null;
}

const BATCH = 200;
/** This many failures in a row with no success in between: Basiq is down, stop instead of failing every user. */
export const SYNC_OUTAGE_STOP = 16;

export async function syncAllUsers(
  db: Database,
  client: BasiqClient,
  onProgress: (p: Omit<SyncProgress, "running" | "startedAt" | "finishedAt">) => void = () => {},
): Promise<Omit<SyncProgress, "running" | "startedAt" | "finishedAt">> {
  const live = isNull(basiqUsers.deletedAt);
  const total = await db.$count(basiqUsers, live);
  const p = { ...counters, total };
  let failedInARow = 0;
  let after = "";
  while (p.stopped === null) {
    const batch = await db
      .select({ id: basiqUsers.id })
      .from(basiqUsers)
      .where(and(live, gt(basiqUsers.id, after)))
      .orderBy(asc(basiqUsers.id))
      .limit(BATCH);
    if (batch.length === 0) break;
    after = batch.at(-1)!.id;
    await forEachLimited(batch, 8, async ({ id }) => {
      if (p.stopped !== null) return; // the rest keep their directory entry as it is
      try {
        const outcome = await syncDirectoryUser(db, client, id, "sync");
        if (outcome === "not-found") p.notFound++;
        else p.updated++;
        failedInARow = 0;
      } catch (e) {
        p.failed++;
        failedInARow++;
        const status = (e as { status?: number }).status;
        log.warn({ userId: id, correlationId: (e as { correlationId?: string }).correlationId, status }, "directory sync failed for a user");
        if (isBasiqKeyRefused(e) && p.stopped === null) {
          // No other user can be read with this key either: stop at once, and say why.
          p.stopped = `Stopped: ${KEY_REFUSED_MESSAGE} (HTTP ${e.status} from POST /token). Check BASIQ_API_KEY; every user keeps their last synced copy.`;
          log.error({ checked: p.checked + 1, status }, "directory sync stopped: Basiq refused our API key");
        }
        if (failedInARow >= SYNC_OUTAGE_STOP && p.stopped === null) {
          p.stopped = `Stopped: Basiq failed for ${failedInARow} users in a row (${status ? `HTTP ${status}` : "no answer"}). The other users keep their last synced copy; try again later.`;
          log.error({ checked: p.checked + 1, failed: p.failed, status }, "directory sync stopped: Basiq looks unavailable");
        }
      }
      p.checked++;
    });
    onProgress({ ...p });
  }
  await analyzeDatabase(db, "directory sync"); // every row rewritten: fresh planner statistics (PGlite has no autovacuum)
  return p;
}

const globalForSync = globalThis as unknown as { directorySync?: SyncProgress };

const counters = { checked: 0, total: 0, updated: 0, notFound: 0, failed: 0, stopped: null as string | null };

export function directorySyncProgress(): SyncProgress {
  return globalForSync.directorySync ?? { running: false, startedAt: null, finishedAt: null, ...counters };
}

/** Starts a background sync unless one is running; returns its progress either way. */
export function startDirectorySync(db: Database, client: BasiqClient): SyncProgress {
  const current = directorySyncProgress();
  if (current.running) return current;
  const state: SyncProgress = { running: true, startedAt: new Date().toISOString(), finishedAt: null, ...counters };
  globalForSync.directorySync = state;
  void syncAllUsers(db, client, (p) => Object.assign(state, p))
    .then((p) => Object.assign(state, p))
    .catch((e: unknown) => log.error({ err: (e as Error).message }, "directory sync stopped"))
    .finally(() => {
      state.running = false;
      state.finishedAt = new Date().toISOString();
    });
  return state;
}
