import "server-only";

import { count, isNull, sql } from "drizzle-orm";

import { requirePermission } from "@/lib/auth/session";
import { getDb } from "@/lib/db";
import { basiqUsers } from "@/lib/db/schema";

export interface OverviewDTO {
  usersInDirectory: number;
  usersByWorstStatus: { status: string; users: number }[];
  lastDirectorySync: string | null;
}

export async function getOverview(): Promise<OverviewDTO> {
  await requirePermission("overview.read");
  const db = await getDb();
  const [totals, byStatus] = await Promise.all([
    db
      .select({ users: count(), lastSync: sql<string | null>`max(${basiqUsers.lastSyncedAt})` })
      .from(basiqUsers)
      .where(isNull(basiqUsers.deletedAt)),
    db
      .select({ status: basiqUsers.worstConnectionStatus, users: count() })
      .from(basiqUsers)
      .where(isNull(basiqUsers.deletedAt))
      .groupBy(basiqUsers.worstConnectionStatus),
  ]);
  const lastSync = totals[0]?.lastSync;
  return {
    usersInDirectory: totals[0]?.users ?? 0,
    usersByWorstStatus: byStatus.map((r) => ({ status: r.status, users: r.users })),
    lastDirectorySync: lastSync ? new Date(lastSync).toISOString() : null,
  };
}
