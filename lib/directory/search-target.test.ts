// Issue 18 item 9: what the search box names directly — a job id or a connection id opens its page, a bank's name
// filters by its institution — and the backfill that gives rows written before migration 0010 their prefix indexes.
import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { connectors, jobRuns, syncCursors } from "@/lib/db/schema";
import { createTestDatabase, type TestDatabase } from "@/test/db";

import { backfillNamePrefixes, NAME_PREFIX_CURSOR } from "./name-prefixes";
import { recordDirectoryUser } from "./record";
import { findSearchTarget, searchDirectory } from "./search";

let t: TestDatabase;
const USER = "5d2f8a10-0c4e-4b7e-9a31-7f00c0ffee01";
const CONNECTION = "8b1c7e22-5a44-4c1d-b0de-2c0ffee00c01";
const JOB_ONLY_CONNECTION = "0aa1c7e2-5a44-4c1d-b0de-2c0ffee00c02";
const JOB = "f00dcafe-1234-4abc-8def-000000000b01";

beforeAll(async () => {
  t = await createTestDatabase();
  await recordDirectoryUser(
    t.db,
    {
      id: USER,
      firstName: "Monica",
      lastName: "Hall",
      connections: [{ id: CONNECTION, status: "active", method: "open-banking", institutionId: "AU00201", institutionName: null }],
    },
    "sync",
  );
  await t.db.insert(jobRuns).values({ id: JOB, userId: USER, connectionId: JOB_ONLY_CONNECTION, outcome: "failed" });
  await t.db.insert(connectors).values([
    { id: "AU00201", method: "open-banking", name: "Hooli Bank", shortName: "Hooli", status: "operational" },
    { id: "AU00201", method: "web", name: "Hooli Bank", shortName: "Hooli", status: "operational" },
  ]);
});

afterAll(async () => {
  await t?.close();
});

describe("findSearchTarget", () => {
  it("finds a job by its id, in any case", async () => {
    const expected = { kind: "job", jobId: JOB, userId: USER, connectionId: JOB_ONLY_CONNECTION };
    expect(await findSearchTarget(t.db, JOB)).toEqual(expected);
    expect(await findSearchTarget(t.db, ` ${JOB.toUpperCase()} `)).toEqual(expected);
  });

  it("finds a connection by its id, from the directory or from a stored job", async () => {
    expect(await findSearchTarget(t.db, CONNECTION.toUpperCase())).toEqual({ kind: "connection", connectionId: CONNECTION, userId: USER });
    expect(await findSearchTarget(t.db, JOB_ONLY_CONNECTION)).toEqual({
      kind: "connection",
      connectionId: JOB_ONLY_CONNECTION,
      userId: USER,
    });
  });

  it("finds a bank by name, short name or institution id (any case) as a filter", async () => {
    const hooli = { kind: "institution", institutionId: "AU00201", name: "Hooli Bank" };
    expect(await findSearchTarget(t.db, "hooli bank")).toEqual(hooli);
    expect(await findSearchTarget(t.db, "HOOLI")).toEqual(hooli);
    expect(await findSearchTarget(t.db, "au00201")).toEqual(hooli);
  });

  it("names nothing for a user id, a partial id, a person's name or garbage", async () => {
    for (const q of [USER, CONNECTION.slice(0, 8), "Monica", "hool", "%", "' or 1=1 --", "x".repeat(500), ""]) {
      expect(await findSearchTarget(t.db, q), q).toBeNull();
    }
  });
});

describe("backfillNamePrefixes", () => {
  it("indexes rows written before the prefix index existed, resumably, once", async () => {
    const db = await createTestDatabase();
    try {
      for (let i = 0; i < 7; i++) {
        await recordDirectoryUser(db.db, { id: `old-${i}`, firstName: i % 2 ? "Gilfoyle" : "Dinesh", lastName: "Chugtai", connections: [] }, "sync");
      }
      // As a database migrated to 0010 finds them: no prefix rows yet.
      await db.db.execute(sql`delete from basiq_user_name_prefixes`);
      expect((await searchDirectory(db.db, { q: "gilf" })).total).toBe(0);
      expect((await searchDirectory(db.db, { q: "gilfoyle" })).total).toBe(0); // a whole word of ≤ 10 letters goes to the prefix index

      expect(await backfillNamePrefixes(db.db, { batchSize: 3 })).toBe(7);
      expect((await searchDirectory(db.db, { q: "gilf" })).total).toBe(3);
      expect((await searchDirectory(db.db, { q: "din chug" })).total).toBe(4);
      const [cursor] = await db.db.select().from(syncCursors).where(sql`${syncCursors.name} = ${NAME_PREFIX_CURSOR}`);
      expect(cursor?.cursor).toBe("done");
      // Finished: a restart reads the cursor and does nothing.
      expect(await backfillNamePrefixes(db.db)).toBe(0);
    } finally {
      await db.close();
    }
  });

  it("resumes after the last finished batch", async () => {
    const db = await createTestDatabase();
    try {
      for (let i = 0; i < 4; i++) await recordDirectoryUser(db.db, { id: `res-${i}`, firstName: "Bertram", connections: [] }, "sync");
      await db.db.execute(sql`delete from basiq_user_name_prefixes`);
      await db.db.insert(syncCursors).values({ name: NAME_PREFIX_CURSOR, cursor: "res-1" });
      expect(await backfillNamePrefixes(db.db)).toBe(2);
      expect((await searchDirectory(db.db, { q: "bert", sort: "id" })).rows.map((r) => r.id)).toEqual(["res-2", "res-3"]);
    } finally {
      await db.close();
    }
  });
});
