import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";

import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { openDatabase, rowsOf, type Database } from "./client";
import { PgliteThread } from "./pglite-remote";
import { staff } from "./schema";

describe("PGlite on its own thread", () => {
  let thread: PgliteThread;
  beforeAll(async () => {
    thread = await PgliteThread.open("memory://");
    await thread.exec("create table t (id int primary key, at timestamptz, n numeric, j jsonb)");
  });
  afterAll(() => thread.close());

  it("runs queries with parameters, in both row modes, keeping dates as text with drizzle's parsers", async () => {
    await thread.query("insert into t values ($1, $2, $3, $4)", [1, "2026-01-02T03:04:05Z", "1.50", JSON.stringify({ a: [1] })]);
    const objects = await thread.query<{ id: number; j: unknown }>("select id, j from t where id = $1", [1]);
    expect(objects.rows).toEqual([{ id: 1, j: { a: [1] } }]);
    const arrays = await thread.query("select at from t", [], { rowMode: "array", parsers: { 1184: (v: string) => v } });
    expect(arrays.rows).toEqual([["2026-01-02 03:04:05+00"]]);
    // Without the identity parser, PGlite's own (a Date) applies: proof the parser crossed the thread.
    const parsed = await thread.query<{ at: unknown }>("select at from t");
    expect(parsed.rows[0]!.at).toBeInstanceOf(Date);
  });

  it("refuses parsers that are not the identity (functions cannot cross threads)", async () => {
    await expect(thread.query("select 1", [], { parsers: { 1184: (v: string) => `x${v}` } })).rejects.toThrow(/identity/);
  });

  it("returns each statement's result from exec", async () => {
    const results = await thread.exec("select 1 as a; select 2 as b");
    expect(results.map((r) => r.rows)).toEqual([[{ a: 1 }], [{ b: 2 }]]);
  });

  it("rebuilds PostgreSQL errors with their fields", async () => {
    const error = await thread.query("insert into t (id) values (1)").catch((e: unknown) => e);
    expect(error).toBeInstanceOf(Error);
    expect(error).toMatchObject({ code: "23505", constraint: "t_pkey" });
  });

  it("commits a transaction when its function returns, and rolls it back when it throws", async () => {
    await thread.transaction(async (tx) => {
      await tx.query("insert into t (id) values (2)");
      await tx.exec("insert into t (id) values (3)");
    });
    await expect(
      thread.transaction(async (tx) => {
        await tx.query("insert into t (id) values (4)");
        throw new Error("changed my mind");
      }),
    ).rejects.toThrow("changed my mind");
    await thread.transaction(async (tx) => {
      await tx.query("insert into t (id) values (5)");
      await tx.rollback();
    });
    const { rows } = await thread.query<{ id: number }>("select id from t order by id");
    expect(rows.map((r) => r.id)).toEqual([1, 2, 3]);
  });

  it("holds other statements until a transaction ends, as PGlite does on one thread", async () => {
    const order: string[] = [];
    let release!: () => void;
    const held = new Promise<void>((r) => (release = r));
    const tx = thread.transaction(async (t) => {
      await t.query("update t set n = 7 where id = 1");
      order.push("tx updated");
      await held;
      order.push("tx ends");
    });
    await new Promise((r) => setTimeout(r, 20));
    const outside = thread.query<{ n: string }>("select n::text as n from t where id = 1").then((r) => {
      order.push("outside read");
      return r.rows[0]!.n;
    });
    await new Promise((r) => setTimeout(r, 50));
    release();
    await tx;
    expect(await outside).toBe("7");
    expect(order).toEqual(["tx updated", "tx ends", "outside read"]);
  });
});

describe("openDatabase({ thread: true })", () => {
  let dir: string;
  let db: Database;
  let close: () => Promise<void>;
  beforeAll(async () => {
    dir = mkdtempSync(path.join(tmpdir(), "pglite-thread-"));
    const opened = await openDatabase({ pgliteDir: path.join(dir, "pglite"), thread: true });
    db = opened.db;
    close = opened.close;
    const { migratePglite } = await import("./migrate");
    await migratePglite(db);
  });
  afterAll(async () => {
    await close();
    rmSync(dir, { recursive: true, force: true });
  });

  it("runs drizzle's migrations, typed selects and transactions over the thread", async () => {
    await db.transaction(async (tx) => {
      await tx.execute(sql`create table if not exists probe (id int)`);
      await tx.execute(sql`insert into probe values (1)`);
    });
    expect(rowsOf<{ n: number }>(await db.execute(sql`select count(*)::int as n from probe`))).toEqual([{ n: 1 }]);
    const rows = await db.select({ id: staff.id, createdAt: staff.createdAt }).from(staff).limit(1);
    expect(Array.isArray(rows)).toBe(true);
  });

  it("closes cleanly: the same directory opens again", async () => {
    await close();
    const again = await openDatabase({ pgliteDir: path.join(dir, "pglite"), thread: true });
    expect(rowsOf<{ n: number }>(await again.db.execute(sql`select count(*)::int as n from probe`))).toEqual([{ n: 1 }]);
    close = again.close;
  });
});
