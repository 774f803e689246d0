import "server-only";

// Connector health as the console sees it, beyond Basiq's own status: failed jobs per institution in the last
// 24 h and 7 days (from job_runs), the share of its connections that are failing (from the directory), and a
// spike flag — "likely a bank-side issue" — even while Basiq still says operational.
import { sql } from "drizzle-orm";

import { rowsOf, type Database } from "@/lib/db";
import { basiqUsers, jobRuns } from "@/lib/db/schema";

export interface InstitutionFailureStats {
  institutionId: string;
  failed24h: number;
  failed7d: number;
  connections: number;
  failingConnections: number;
  spike: boolean;
}

/** A spike: at least 5 failures in 24 h and 3× the daily average of the 6 days before. */
export function isSpike(failed24h: number, failed7d: number): boolean {
  const previousDailyAverage = Math.max(failed7d - failed24h, 0) / 6;
  return failed24h >= 5 && failed24h >= 3 * previousDailyAverage;
}

export async function institutionFailureStats(db: Database, now = new Date()): Promise<Map<string, InstitutionFailureStats>> {
  const day = new Date(now.getTime() - 24 * 3600_000).toISOString();
  const week = new Date(now.getTime() - 7 * 24 * 3600_000).toISOString();
  const [jobs, conns] = await Promise.all([
    db.execute(sql`
      select ${jobRuns.institutionId} as institution_id,
             count(*) filter (where ${jobRuns.createdAt} >= ${day}::timestamptz)::int as failed_24h,
             count(*)::int as failed_7d
      from ${jobRuns}
      where ${jobRuns.outcome} = 'failed' and ${jobRuns.createdAt} >= ${week}::timestamptz and ${jobRuns.institutionId} is not null
      group by 1`),
    db.execute(sql`
      select c->>'institutionId' as institution_id,
             count(*)::int as connections,
             count(*) filter (where c->>'status' = 'invalid')::int as failing
      from ${basiqUsers}, jsonb_array_elements(${basiqUsers.connections}) as c
      where ${basiqUsers.deletedAt} is null
      group by 1`),
  ]);
  const stats = new Map<string, InstitutionFailureStats>();
  const entry = (id: string) => {
    let s = stats.get(id);
    if (!s) {
      s = { institutionId: id, failed24h: 0, failed7d: 0, connections: 0, failingConnections: 0, spike: false };
      stats.set(id, s);
    }
    return s;
  };
  for (const r of rowsOf<{ institution_id: string; failed_24h: number; failed_7d: number }>(jobs)) {
    const s = entry(r.institution_id);
    s.failed24h = Number(r.failed_24h);
    s.failed7d = Number(r.failed_7d);
    s.spike = isSpike(s.failed24h, s.failed7d);
  }
  for (const r of rowsOf<{ institution_id: string | null; connections: number; failing: number }>(conns)) {
    if (!r.institution_id) continue;
    const s = entry(r.institution_id);
    s.connections = Number(r.connections);
    s.failingConnections = Number(r.failing);
  }
  return stats;
}
