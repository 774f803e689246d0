// Planner statistics: ANALYZE fills pg_stats (PGlite has no autovacuum to do it), and analyzeSoon coalesces.
import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { createTestDatabase, type TestDatabase } from "@/test/db";

import { analyzeDatabase, analyzeSoon } from "./analyze";
import { rowsOf } from "./client";
import { basiqUsers } from "./schema";

let t: TestDatabase;
beforeAll(async () => {
  t = await createTestDatabase();
  await t.db
    .insert(basiqUsers)
    .values(Array.from({ length: 500 }, (_, i) => ({ id: `user-${String(i).padStart(4, "0")}`, source: "seed" })));
});
afterAll(async () => {
  await t?.close();
});

async function statsRows(): Promise<number> {
  const [row] = rowsOf<{ n: number }>(
    await t.db.execute(sql`select count(*)::int as n from pg_stats where tablename = 'basiq_users'`),
  );
  return row?.n ?? 0;
}

async function analyzedCount(): Promise<number> {
  const [row] = rowsOf<{ n: number }>(
    await t.db.execute(
      sql`select coalesce(analyze_count, 0)::int as n from pg_stat_user_tables where relname = 'basiq_users'`,
    ),
  );
  return row?.n ?? 0;
}

describe("analyzeDatabase", () => {
  it(`gives a freshly loaded table planner statistics (${process.env.DATABASE_URL ? "PostgreSQL" : "PGlite"})`, async () => {
    if (!process.env.DATABASE_URL) expect(await statsRows()).toBe(0); // PGlite: nothing would, otherwise
    expect(await analyzeDatabase(t.db, "test")).toBe(true);
    expect(await statsRows()).toBeGreaterThan(0);
  });
});

describe("analyzeSoon", () => {
  it("runs one ANALYZE for several requests within the interval", async () => {
    const before = await analyzedCount();
    analyzeSoon(t.db, "test", 50);
    analyzeSoon(t.db, "test", 50);
    analyzeSoon(t.db, "test", 50);
    await new Promise((r) => setTimeout(r, 400));
    expect((await analyzedCount()) - before).toBe(1);
  });
});
