import "server-only";

// Keeping the directory current from Basiq: fetch a user and their connections (in parallel), then record them.
import type { BasiqClient } from "@/lib/basiq/client";
import { isBasiqNotFound } from "@/lib/basiq/errors";
import type { BasiqUser, ConnectionSummary as BasiqConnectionSummary } from "@/lib/basiq/schemas";
import type { Database } from "@/lib/db";
import type { ConnectionSummary } from "@/lib/db/schema";

import { recordDirectoryUser, type DirectoryUserInput } from "./record";

export type SyncOutcome = "added" | "updated" | "not-found";

export async function syncDirectoryUser(
  db: Database,
  client: BasiqClient,
  userId: string,
  source: "sync" | "import" | "event" | "seed",
): Promise<SyncOutcome> {
  const [user, connections] = await Promise.all([
    client.getUser(userId),
    client.listConnections(userId).catch((e: unknown) => {
      if (isBasiqNotFound(e)) return null;
      throw e;
    }),
  ]).catch((e: unknown) => {
    if (isBasiqNotFound(e)) return [null, null] as const;
    throw e;
  });
  if (!user) return "not-found";
  return recordDirectoryUser(db, directoryInputFrom(user, connections), source);
}

/** A Basiq user and their connections as the directory stores them (null connections keep the stored summary). */
export function directoryInputFrom(user: BasiqUser, connections: BasiqConnectionSummary[] | null): DirectoryUserInput {
  const summaries: ConnectionSummary[] | null = connections
    ? connections.map((c) => ({
        id: c.id,
        status: c.status ?? "pending",
        method: c.method ?? null,
        institutionId: c.institution.id,
        institutionName: null,
      }))
    : null;
  return {
    id: user.id,
    email: user.email,
    mobile: user.mobile,
    firstName: user.firstName,
    middleName: user.middleName,
    lastName: user.lastName,
    businessName: user.businessName,
    connections: summaries,
  };
}

/** Runs `work` over items with at most `concurrency` at once (the Basiq client caps its own calls too). */
export async function forEachLimited<T>(items: T[], concurrency: number, work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const workers = Array.from({ length: Math.min(concurrency, items.length) }, async () => {
    while (next < items.length) {
      const item = items[next++]!;
      await work(item);
    }
  });
  await Promise.all(workers);
}
