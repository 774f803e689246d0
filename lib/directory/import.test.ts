// Importing pasted/uploaded Basiq user ids: one verdict per line, and only users Basiq confirms are written.
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";

import type { BasiqClient } from "@/lib/basiq/client";
import { BasiqApiError } from "@/lib/basiq/errors";
import { basiqUsers } from "@/lib/db/schema";
import { createTestDatabase, type TestDatabase } from "@/test/db";

import { importUserIds, MAX_IMPORT_LINES } from "./import";
import { recordDirectoryUser } from "./record";
import { searchDirectory } from "./search";

const apiError = (status: number, route: string) =>
  new BasiqApiError({ method: "GET", route, status, code: `http-${status}` });

/** A Basiq that knows `users`; ids in `unavailable` answer 503, everything else 404. */
function fakeBasiq(users: string[], unavailable: string[] = []) {
  const getUser = vi.fn(async (id: string) => {
    if (unavailable.includes(id)) throw apiError(503, "GET /users/{userId}");
    if (!users.includes(id)) throw apiError(404, "GET /users/{userId}");
    return {
      type: "user",
      id,
      email: `${id}@example.com.au`,
      mobile: "+61400000000",
      name: "Imported Person",
      firstName: "Imported",
      middleName: "",
      lastName: `Person-${id}`,
    };
  });
  const listConnections = vi.fn(async (id: string) => {
    if (unavailable.includes(id)) throw apiError(503, "GET /users/{userId}/connections");
    if (!users.includes(id)) throw apiError(404, "GET /users/{userId}/connections");
    return [
      {
        type: "connection",
        id: `conn-${id}`,
        method: "open-banking",
        status: "active",
        createdDate: "2026-01-01T00:00:00Z",
        expiryDate: "2027-01-01T00:00:00Z",
        institution: { id: "AU00000", type: "institution", links: { self: "" } },
        links: { self: "", institution: "" },
      },
    ];
  });
  return { client: { getUser, listConnections } as unknown as BasiqClient, getUser, listConnections };
}

let t: TestDatabase;
beforeAll(async () => {
  t = await createTestDatabase();
});
afterAll(async () => {
  await t?.close();
});
beforeEach(async () => {
  await t.db.delete(basiqUsers);
  await recordDirectoryUser(
    t.db,
    { id: "existing-1", email: "kept@example.com.au", connections: [] },
    "sync",
  );
});

const storedIds = async () =>
  (await t.db.select({ id: basiqUsers.id }).from(basiqUsers)).map((r) => r.id).sort();
const verdicts = (rows: Awaited<ReturnType<typeof importUserIds>>) =>
  rows.map(({ line, value, verdict }) => ({ line, value, verdict }));

describe(`importing user ids (${process.env.DATABASE_URL ? "PostgreSQL" : "PGlite"})`, () => {
  it("gives every line of a messy CSV its own verdict and writes only confirmed users", async () => {
    const long = "a".repeat(300);
    const text = [
      "userId,email", // 1: header, no verdict
      "good-1,first@example.com",
      "existing-1,kept@example.com.au",
      "good-2,",
      "good-1,again@example.com", // 5: duplicate of line 2
      "unknown-1,nobody@example.com",
      "   ", // 7: blank, skipped
      "has spaces,x@example.com",
      "<script>alert(1)</script>",
      long,
      "' OR 1=1 --",
      "'; DROP TABLE basiq_users; --",
      ",orphan@example.com", // 13: empty id cell
      '"good_3",quoted@example.com',
      "GOOD-1", // 15: ids are case-sensitive: a different id
    ].join("\r\n");
    const { client, getUser } = fakeBasiq(["good-1", "good-2", "good_3"]);

    const rows = await importUserIds(t.db, client, text);

    expect(verdicts(rows)).toEqual([
      { line: 2, value: "good-1", verdict: "added" },
      { line: 3, value: "existing-1", verdict: "already-present" },
      { line: 4, value: "good-2", verdict: "added" },
      { line: 5, value: "good-1", verdict: "duplicate" },
      { line: 6, value: "unknown-1", verdict: "not-found" },
      { line: 8, value: "has spaces,x@example.com", verdict: "invalid" },
      { line: 9, value: "<script>alert(1)</script>", verdict: "invalid" },
      { line: 10, value: "a".repeat(80), verdict: "invalid" },
      { line: 11, value: "' OR 1=1 --", verdict: "invalid" },
      { line: 12, value: "'; DROP TABLE basiq_users; --", verdict: "invalid" },
      { line: 13, value: ",orphan@example.com", verdict: "invalid" },
      { line: 14, value: "good_3", verdict: "added" },
      { line: 15, value: "GOOD-1", verdict: "not-found" },
    ]);
    // Every rejection says why.
    for (const row of rows.filter((r) => !["added", "already-present"].includes(r.verdict))) {
      expect(row.reason, `line ${row.line}`).toEqual(expect.any(String));
      expect(row.reason!.length).toBeGreaterThan(0);
    }

    expect(await storedIds()).toEqual(["existing-1", "good-1", "good-2", "good_3"]);
    // The users written are the ones Basiq returned: searchable, with their connections.
    const found = await searchDirectory(t.db, { q: "good-2@example.com.au" });
    expect(found.rows.map((r) => r.id)).toEqual(["good-2"]);
    expect(found.rows[0]).toMatchObject({
      connectionCount: 1,
      worstConnectionStatus: "active",
      institutionIds: ["AU00000"],
      source: "import",
    });
    // Basiq was asked once per distinct valid id that was not already in the directory, never about garbage.
    expect(getUser.mock.calls.map(([id]) => id).sort()).toEqual([
      "GOOD-1",
      "good-1",
      "good-2",
      "good_3",
      "unknown-1",
    ]);
    // The user already present was left as it was.
    const [existing] = await t.db.select().from(basiqUsers).where(eq(basiqUsers.id, "existing-1"));
    expect(existing!.source).toBe("sync");
  });

  it("reads one id per line without a header, and a CSV whose id column is not the first", async () => {
    const { client } = fakeBasiq(["good-1", "good-2"]);
    expect(verdicts(await importUserIds(t.db, client, "good-1\nnope nope\n"))).toEqual([
      { line: 1, value: "good-1", verdict: "added" },
      { line: 2, value: "nope nope", verdict: "invalid" },
    ]);
    expect(
      verdicts(
        await importUserIds(t.db, client, "\uFEFFemail;id\nx@example.com;good-2\ny@example.com;good-1"),
      ),
    ).toEqual([
      { line: 2, value: "good-2", verdict: "added" },
      { line: 3, value: "good-1", verdict: "already-present" },
    ]);
    expect(await storedIds()).toEqual(["existing-1", "good-1", "good-2"]);
  });

  it("reads quoted CSV fields that contain the delimiter, quotes or a line break (issue 18 item 10)", async () => {
    const { client } = fakeBasiq(["quoted-1", "quoted-2", "quoted-3"]);
    const csv = [
      'name,id,note',
      '"Hall, Monica",quoted-1,plain',
      '"Bachman, Erlich ""Big Head""",quoted-2,"two',
      'lines"',
      '"Dunn, Jared",quoted-3,"a, b; c"',
    ].join("\r\n");
    const rows = verdicts(await importUserIds(t.db, client, csv));
    expect(rows.map((r) => [r.value, r.verdict])).toEqual([
      ["quoted-1", "added"],
      ["quoted-2", "added"],
      ["quoted-3", "added"],
    ]);
  });

  it("marks users failed and writes nothing for them when Basiq cannot be asked", async () => {
    const { client } = fakeBasiq(["good-1", "down-1", "down-2"], ["down-1", "down-2"]);
    const rows = await importUserIds(t.db, client, "userId\ndown-1\ngood-1\ndown-2\nexisting-1");
    expect(verdicts(rows)).toEqual([
      { line: 2, value: "down-1", verdict: "failed" },
      { line: 3, value: "good-1", verdict: "added" },
      { line: 4, value: "down-2", verdict: "failed" },
      { line: 5, value: "existing-1", verdict: "already-present" },
    ]);
    expect(rows[0]!.reason).toMatch(/503/);
    expect(rows[0]!.reason).toMatch(/try again/i);
    expect(await storedIds()).toEqual(["existing-1", "good-1"]);
  });

  it("marks users failed when only their connections cannot be fetched", async () => {
    const { client, listConnections } = fakeBasiq(["good-1"]);
    listConnections.mockRejectedValueOnce(apiError(503, "GET /users/{userId}/connections"));
    const rows = await importUserIds(t.db, client, "good-1");
    expect(verdicts(rows)).toEqual([{ line: 1, value: "good-1", verdict: "failed" }]);
    expect(await storedIds()).toEqual(["existing-1"]);
  });

  it(`refuses more than ${MAX_IMPORT_LINES} lines and writes nothing`, async () => {
    const { client, getUser } = fakeBasiq(Array.from({ length: 1001 }, (_, i) => `user-${i}`));
    const text = Array.from({ length: MAX_IMPORT_LINES + 1 }, (_, i) => `user-${i}`).join("\n");
    await expect(importUserIds(t.db, client, text)).rejects.toThrow(RangeError);
    expect(getUser).not.toHaveBeenCalled();
    expect(await storedIds()).toEqual(["existing-1"]);
  });

  it(`accepts exactly ${MAX_IMPORT_LINES} lines (a header and blank lines do not count)`, async () => {
    const { client, getUser } = fakeBasiq([]);
    const text = ["id", ...Array.from({ length: MAX_IMPORT_LINES }, (_, i) => `user-${i}`), "", ""].join(
      "\n",
    );
    const rows = await importUserIds(t.db, client, text);
    expect(rows).toHaveLength(MAX_IMPORT_LINES);
    expect(rows.every((r) => r.verdict === "not-found")).toBe(true);
    expect(getUser).toHaveBeenCalledTimes(MAX_IMPORT_LINES);
    expect(await storedIds()).toEqual(["existing-1"]);
  });

  it("returns no rows for an empty list", async () => {
    const { client, getUser } = fakeBasiq(["good-1"]);
    expect(await importUserIds(t.db, client, "")).toEqual([]);
    expect(await importUserIds(t.db, client, "userId,email\n\n  \n")).toEqual([]);
    expect(getUser).not.toHaveBeenCalled();
  });
});
