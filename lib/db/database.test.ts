import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { createTestDatabase, type TestDatabase } from "@/test/db";

import { rowsOf } from "./client";
import { auditEvents } from "./schema";

let t: TestDatabase;

/** The messages of a rejected query's error and its causes, one per line; fails if the query succeeded. */
async function refusalOf(query: PromiseLike<unknown>): Promise<string> {
  try {
    await query;
  } catch (error) {
    const messages: string[] = [];
    for (let e: unknown = error; e instanceof Error; e = e.cause) messages.push(e.message);
    return messages.join("\n");
  }
  throw new Error("the statement was not refused");
}
beforeAll(async () => {
  t = await createTestDatabase();
});
afterAll(async () => {
  await t?.close();
});

describe(`database (${process.env.DATABASE_URL ? "PostgreSQL" : "PGlite"})`, () => {
  it("applies the migrations", async () => {
    const rows = await t.db.execute<{ table_name: string }>(
      sql`select table_name from information_schema.tables where table_schema = 'public' order by 1`,
    );
    const names = rowsOf<{ table_name: string }>(rows);
    expect(names.map((r) => r.table_name)).toEqual(
      expect.arrayContaining(["staff", "audit_events", "basiq_users", "basiq_user_name_words", "sign_in_throttle"]),
    );
  });

  it("keeps audit events append-only: UPDATE, DELETE and TRUNCATE are refused", async () => {
    await t.db.insert(auditEvents).values({ action: "test.event", outcome: "success" });
    // The trigger's own refusal (drizzle wraps it: "Failed query: …", the database's error as the cause), not
    // just any error such as a typo in the statement.
    expect(await refusalOf(t.db.execute(sql`update audit_events set outcome = 'failure'`))).toMatch(
      /audit_events is append-only: UPDATE refused/,
    );
    expect(await refusalOf(t.db.execute(sql`delete from audit_events`))).toMatch(/audit_events is append-only: DELETE refused/);
    expect(await refusalOf(t.db.execute(sql`truncate audit_events`))).toMatch(/audit_events is append-only: TRUNCATE refused/);
    const rows = await t.db.select().from(auditEvents);
    expect(rows).toHaveLength(1);
    expect(rows[0]!.outcome).toBe("success");
  });
});
