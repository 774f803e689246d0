// Directory write + search, end to end over a real (PGlite or PostgreSQL) database: 50 users written through
// recordDirectoryUser, then found (or not) through searchDirectory the way the users page asks.
import { eq, sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { rowsOf } from "@/lib/db/client";
import { basiqUsers, type ConnectionSummary } from "@/lib/db/schema";
import { createTestDatabase, type TestDatabase } from "@/test/db";

import { recordDirectoryUser } from "./record";
import { directoryInstitutions, NAME_MATCH_CAP, searchDirectory, type DirectoryQuery } from "./search";

interface Seed {
  id: string;
  email: string;
  /** As given to the directory (formats vary). */
  mobileInput: string;
  /** The national significant number, e.g. 412345678. */
  mobileNsn: string;
  firstName: string;
  middleName?: string;
  lastName: string;
  connections: ConnectionSummary[];
}

const FIRST = [
  "Olivia",
  "Charlotte",
  "Amelia",
  "Isabella",
  "Matilda",
  "Oliver",
  "Jackson",
  "William",
  "Lachlan",
  "Thomas",
];
const LAST = ["Citizen", "Nguyen", "Williams", "Thompson", "Kowalski"];
const INSTITUTIONS = ["AU00000", "AU00100", "AU00200", "AU00300", "AU00400"];
const STATUSES = ["active", "pending", "invalid", "pre-init"];
// Worst first, as the "status" sort shows them.
const SEVERITY = ["invalid", "pending", "pre-init", "active", "none"];

function mobileFormats(nsn: string) {
  // nsn: 4XXXXXXXX
  return {
    local: `0${nsn.slice(0, 3)} ${nsn.slice(3, 6)} ${nsn.slice(6)}`, // 0412 345 678
    e164: `+61${nsn}`, // +61412345678
    bracketed: `(0${nsn[0]}) ${nsn.slice(1, 5)} ${nsn.slice(5)}`, // (04) 1234 5678
    spaced: `+61 ${nsn.slice(0, 3)} ${nsn.slice(3, 6)} ${nsn.slice(6)}`, // +61 412 345 678
    dashed: `0${nsn.slice(0, 3)}-${nsn.slice(3, 6)}-${nsn.slice(6)}`, // 0412-345-678
  };
}

const seeds: Seed[] = Array.from({ length: 50 }, (_, i) => {
  const firstName = FIRST[i % FIRST.length]!;
  const lastName = LAST[Math.floor(i / FIRST.length)]!;
  const mobileNsn = String(412345640 + i);
  const formats = mobileFormats(mobileNsn);
  const mobileInput = [formats.local, formats.e164, formats.bracketed][i % 3]!;
  const connections = Array.from({ length: i % 5 }, (_, j) => ({
    id: `conn-${i}-${j}`,
    status: STATUSES[(i * 3 + j) % STATUSES.length]!,
    method: "open-banking",
    institutionId: INSTITUTIONS[(i + j) % INSTITUTIONS.length]!,
    institutionName: null,
  }));
  return {
    id: `usr-${String(i).padStart(3, "0")}-${(0x3f9a1c00 + i * 7919).toString(16)}`,
    email: `${firstName.toLowerCase()}.${lastName.toLowerCase()}${i}@example.com.au`,
    mobileInput,
    mobileNsn,
    firstName,
    lastName,
    connections,
  };
});
// One person with an accented, hyphenated, apostrophised name and a middle name.
seeds[7] = {
  ...seeds[7]!,
  firstName: "Zoë",
  middleName: "Marguerite",
  lastName: "O'Brien-Smith",
  email: "zoe.obrien@example.com.au",
};

const worst = (s: Seed) =>
  s.connections.length === 0
    ? "none"
    : SEVERITY.find((status) => s.connections.some((c) => c.status === status))!;

let t: TestDatabase;

beforeAll(async () => {
  t = await createTestDatabase();
  for (const s of seeds) {
    await recordDirectoryUser(
      t.db,
      {
        id: s.id,
        email: s.email,
        mobile: s.mobileInput,
        firstName: s.firstName,
        middleName: s.middleName ?? "",
        lastName: s.lastName,
        connections: s.connections,
      },
      "sync",
    );
  }
});

afterAll(async () => {
  await t?.close();
});

async function ids(query: DirectoryQuery): Promise<string[]> {
  const result = await searchDirectory(t.db, { pageSize: 100, sort: "id", ...query });
  return result.rows.map((r) => r.id);
}

const sorted = (list: string[]) => [...list].sort();

describe(`directory search (${process.env.DATABASE_URL ? "PostgreSQL" : "PGlite"})`, () => {
  it("lists every user when there is no query", async () => {
    const result = await searchDirectory(t.db, { pageSize: 100 });
    expect(result.total).toBe(50);
    expect(sorted(result.rows.map((r) => r.id))).toEqual(sorted(seeds.map((s) => s.id)));
  });

  it("finds a user by exact e-mail, whatever the case and surrounding whitespace", async () => {
    const s = seeds[12]!;
    expect(await ids({ q: s.email })).toEqual([s.id]);
    expect(await ids({ q: `  ${s.email.toUpperCase()}  ` })).toEqual([s.id]);
    const [local, domain] = s.email.split("@") as [string, string];
    expect(await ids({ q: `${local[0]!.toUpperCase()}${local.slice(1)}@${domain.toUpperCase()}\t` })).toEqual(
      [s.id],
    );
  });

  it("does not match partial e-mails", async () => {
    const s = seeds[12]!;
    const [local, domain] = s.email.split("@") as [string, string];
    for (const partial of [
      local, // no domain at all
      `${local}@`,
      `${local}@example`,
      `${local}@example.com`, // the real domain is example.com.au
      `@${domain}`,
      domain,
      s.email.slice(1), // first letter missing
      `x${s.email}`,
    ]) {
      expect(await ids({ q: partial }), partial).toEqual([]);
    }
  });

  it("finds a user by mobile in any common AU format, whichever format was stored", async () => {
    for (const s of [seeds[0]!, seeds[1]!, seeds[2]!, seeds[38]!]) {
      const f = mobileFormats(s.mobileNsn);
      for (const q of [
        f.local,
        f.e164,
        f.bracketed,
        f.spaced,
        f.dashed,
        `61${s.mobileNsn}`,
        ` ${f.local} `,
      ]) {
        expect(await ids({ q }), `${q} (stored as ${s.mobileInput})`).toEqual([s.id]);
      }
    }
    // The formats from the product brief, on the user whose mobile is 0412 345 678.
    expect(seeds[38]!.mobileNsn).toBe("412345678");
    for (const q of ["0412 345 678", "+61412345678", "(04) 1234 5678"])
      expect(await ids({ q })).toEqual([seeds[38]!.id]);
  });

  it("does not match a partial or different mobile", async () => {
    for (const q of ["0412 345 67", "412345", "+61412345699", "0412 345 6789", "+44 412 345 678"]) {
      expect(await ids({ q }), q).toEqual([]);
    }
  });

  it("finds users by one name word, in any case", async () => {
    const olivias = seeds.filter((s) => s.firstName === "Olivia").map((s) => s.id);
    expect(olivias).toHaveLength(5);
    expect(await ids({ q: "olivia" })).toEqual(sorted(olivias));
    expect(await ids({ q: "OLIVIA" })).toEqual(sorted(olivias));
    const nguyens = seeds.filter((s) => s.lastName === "Nguyen").map((s) => s.id);
    expect(await ids({ q: " Nguyen " })).toEqual(sorted(nguyens));
  });

  it("requires every word of a two-word name query to match", async () => {
    const [one, ...others] = seeds.filter((s) => s.firstName === "Oliver" && s.lastName === "Thompson");
    expect(others).toHaveLength(0);
    expect(await ids({ q: "oliver thompson" })).toEqual([one!.id]);
    expect(await ids({ q: "Thompson, Oliver" })).toEqual([one!.id]);
    // Both words exist in the directory, but never on the same person.
    expect(seeds.some((s) => s.firstName === "Oliver" && s.lastName === "Smith")).toBe(false);
    expect(await ids({ q: "oliver smith" })).toEqual([]);
    expect(await ids({ q: "oliver nobody" })).toEqual([]);
  });

  it("finds users by the first 3 or more letters of a name word (issue 18 item 9), not by 1 or 2 or by an inner part", async () => {
    const of = (pred: (s: Seed) => boolean) => sorted(seeds.filter(pred).map((s) => s.id));
    const oli = of((s) => s.firstName.startsWith("Oli"));
    expect(oli).toHaveLength(10); // Olivia and Oliver
    expect(await ids({ q: "oli" })).toEqual(oli);
    expect(await ids({ q: "OLIV" })).toEqual(oli);
    expect(await ids({ q: "olivi" })).toEqual(of((s) => s.firstName === "Olivia"));
    // Every word must match, whole or as a prefix.
    expect(await ids({ q: "oli thom" })).toEqual(of((s) => s.firstName.startsWith("Oli") && s.lastName === "Thompson"));
    expect(await ids({ q: "Thompson oliv" })).toEqual(of((s) => s.firstName.startsWith("Oli") && s.lastName === "Thompson"));
    // A middle name and the pieces of a hyphenated name are words too.
    expect(await ids({ q: "margu" })).toEqual([seeds[7]!.id]);
    expect(await ids({ q: "zoe o'bri" })).toEqual([seeds[7]!.id]);
    // Too short to be a prefix, or not at the start of a word.
    expect(await ids({ q: "ol" })).toEqual([]);
    expect(await ids({ q: "livia" })).toEqual([]);
    expect(await ids({ q: "oliviaa" })).toEqual([]);
  });

  it("stores name prefixes only as blind indexes of their own purpose, never the whole-word index of the same letters", async () => {
    const words = rowsOf<{ w: string }>(await t.db.execute(sql`select word_idx as w from basiq_user_name_words`)).map((r) => r.w);
    const prefixes = rowsOf<{ p: string }>(await t.db.execute(sql`select prefix_idx as p from basiq_user_name_prefixes`)).map((r) => r.p);
    expect(prefixes.length).toBeGreaterThan(words.length);
    // "olivia" is both a whole word and a 6-letter prefix: the two indexes differ (HMAC purposes differ).
    const shared = new Set(words);
    expect(prefixes.filter((p) => shared.has(p))).toEqual([]);
  });

  it("folds accents and splits hyphenated names", async () => {
    const zoe = seeds[7]!.id;
    for (const q of [
      "zoe",
      "Zoë",
      "ZOE O'BRIEN",
      "o'brien smith",
      "smith zoe",
      "marguerite",
      "Zoë Marguerite O'Brien-Smith",
    ]) {
      expect(await ids({ q }), q).toContain(zoe);
    }
  });

  it("finds a user by exact id and by id prefix", async () => {
    const s = seeds[12]!;
    expect(await ids({ q: s.id })).toEqual([s.id]);
    expect(await ids({ q: s.id.slice(0, 9) })).toEqual(
      sorted(seeds.filter((x) => x.id.startsWith(s.id.slice(0, 9))).map((x) => x.id)),
    );
    const tens = seeds.filter((x) => x.id.startsWith("usr-01")).map((x) => x.id);
    expect(tens).toHaveLength(10);
    expect(await ids({ q: "usr-01" })).toEqual(sorted(tens));
    expect((await searchDirectory(t.db, { q: "usr-" })).total).toBe(50);
    // Not a prefix: a substring, a longer id, LIKE wildcards.
    expect(await ids({ q: s.id.slice(4) })).toEqual([]);
    expect(await ids({ q: `${s.id}0` })).toEqual([]);
    expect(await ids({ q: "usr_01" })).toEqual([]);
    expect(await ids({ q: "%" })).toEqual([]);
    expect(await ids({ q: "usr%" })).toEqual([]);
  });

  it("finds an id or id prefix typed in capitals (issue 18 item 9)", async () => {
    const s = seeds[12]!;
    expect(await ids({ q: s.id.toUpperCase() })).toEqual([s.id]);
    expect(await ids({ q: "USR-01" })).toEqual(sorted(seeds.filter((x) => x.id.startsWith("usr-01")).map((x) => x.id)));
  });

  it("matches nothing (not everything) for unrecognisable input", async () => {
    for (const q of ["%", "'", "--", "'; drop table basiq_users; --", "<script>", "*"]) {
      const result = await searchDirectory(t.db, { q });
      expect(result.total, q).toBe(0);
    }
    expect((await searchDirectory(t.db, {})).total).toBe(50);
  });

  it("filters by a connection status the user has (not only the worst one)", async () => {
    for (const status of STATUSES) {
      const expected = seeds.filter((s) => s.connections.some((c) => c.status === status)).map((s) => s.id);
      expect(expected.length).toBeGreaterThan(0);
      expect(await ids({ status }), status).toEqual(sorted(expected));
    }
    // A user whose worst status is invalid but who also has an active connection is listed under "active".
    const mixed = seeds.find(
      (s) => worst(s) === "invalid" && s.connections.some((c) => c.status === "active"),
    );
    expect(mixed).toBeDefined();
    expect(await ids({ status: "active" })).toContain(mixed!.id);
    expect(await ids({ status: "no-such-status" })).toEqual([]);
  });

  it("filters by institution", async () => {
    for (const institution of INSTITUTIONS) {
      const expected = seeds
        .filter((s) => s.connections.some((c) => c.institutionId === institution))
        .map((s) => s.id);
      expect(await ids({ institution }), institution).toEqual(sorted(expected));
    }
    expect(await ids({ institution: "AU99999" })).toEqual([]);
  });

  it("ANDs the filters with each other and with the query", async () => {
    const match = (s: Seed, status: string, institution: string) =>
      s.connections.some((c) => c.status === status) &&
      s.connections.some((c) => c.institutionId === institution);
    const both = seeds.filter((s) => match(s, "invalid", "AU00200")).map((s) => s.id);
    expect(both.length).toBeGreaterThan(0);
    expect(await ids({ status: "invalid", institution: "AU00200" })).toEqual(sorted(both));

    const citizensInvalid = seeds
      .filter((s) => s.lastName === "Citizen" && s.connections.some((c) => c.status === "invalid"))
      .map((s) => s.id);
    const citizens = seeds.filter((s) => s.lastName === "Citizen");
    expect(citizensInvalid.length).toBeGreaterThan(0);
    expect(citizensInvalid.length).toBeLessThan(citizens.length);
    expect(await ids({ q: "citizen", status: "invalid" })).toEqual(sorted(citizensInvalid));

    // An exact e-mail whose user does not meet the filter finds nothing.
    const noConnections = seeds.find((s) => s.connections.length === 0)!;
    expect(await ids({ q: noConnections.email })).toEqual([noConnections.id]);
    expect(await ids({ q: noConnections.email, status: "active" })).toEqual([]);
    expect(await ids({ q: noConnections.email, institution: "AU00000" })).toEqual([]);

    // id prefix OR name, then the filter.
    const withInst = seeds
      .filter((s) => s.id.startsWith("usr-01") && match(s, "active", "AU00100"))
      .map((s) => s.id);
    expect(await ids({ q: "usr-01", status: "active", institution: "AU00100" })).toEqual(sorted(withInst));
  });

  it("sorts by id, by connection count and by worst status", async () => {
    expect(await ids({ sort: "id" })).toEqual(sorted(seeds.map((s) => s.id)));

    const byConnections = [...seeds]
      .sort((a, b) => b.connections.length - a.connections.length || (a.id < b.id ? -1 : 1))
      .map((s) => s.id);
    expect(await ids({ sort: "connections" })).toEqual(byConnections);

    const byStatus = [...seeds]
      .sort((a, b) => SEVERITY.indexOf(worst(a)) - SEVERITY.indexOf(worst(b)) || (a.id < b.id ? -1 : 1))
      .map((s) => s.id);
    const result = await searchDirectory(t.db, { sort: "status", pageSize: 100 });
    expect(result.rows.map((r) => r.id)).toEqual(byStatus);
    expect(result.rows[0]!.worstConnectionStatus).toBe("invalid");
    expect(result.rows.at(-1)!.worstConnectionStatus).toBe("none");
  });

  it("reverses any order when asked (a second click on a column header, issue 18 item 10)", async () => {
    for (const sort of ["id", "connections", "status", "recent"] as const) {
      const forward = (await searchDirectory(t.db, { sort, pageSize: 100 })).rows.map((r) => r.id);
      const backward = (await searchDirectory(t.db, { sort, dir: "reverse", pageSize: 100 })).rows.map((r) => r.id);
      expect(backward, sort).toEqual([...forward].reverse());
    }
  });

  it("sorts most recently synced first by default", async () => {
    const again = seeds[23]!;
    await recordDirectoryUser(
      t.db,
      {
        id: again.id,
        email: again.email,
        mobile: again.mobileInput,
        firstName: again.firstName,
        lastName: again.lastName,
        connections: null,
      },
      "sync",
    );
    const result = await searchDirectory(t.db, { pageSize: 100 });
    expect(result.rows[0]!.id).toBe(again.id);
    for (let i = 1; i < result.rows.length; i++) {
      const prev = result.rows[i - 1]!;
      const row = result.rows[i]!;
      expect(prev.lastSyncedAt!.getTime()).toBeGreaterThanOrEqual(row.lastSyncedAt!.getTime());
      if (prev.lastSyncedAt!.getTime() === row.lastSyncedAt!.getTime()) expect(prev.id < row.id).toBe(true);
    }
    // connections: null kept the previous connection summary.
    const [row] = await t.db.select().from(basiqUsers).where(eq(basiqUsers.id, again.id));
    expect(row!.connectionCount).toBe(again.connections.length);
  });

  it("paginates with consistent totals", async () => {
    const seen: string[] = [];
    for (let page = 1; page <= 8; page++) {
      const result = await searchDirectory(t.db, { sort: "id", page, pageSize: 7 });
      expect(result).toMatchObject({ total: 50, page, pageSize: 7, pageCount: 8 });
      expect(result.rows).toHaveLength(page < 8 ? 7 : 1);
      seen.push(...result.rows.map((r) => r.id));
    }
    expect(seen).toEqual(sorted(seeds.map((s) => s.id)));

    const beyond = await searchDirectory(t.db, { sort: "id", page: 9, pageSize: 7 });
    expect(beyond).toMatchObject({ total: 50, rows: [] });

    // Totals count every match, not just the page.
    const olivias = await searchDirectory(t.db, { q: "olivia", pageSize: 2, page: 2 });
    expect(olivias).toMatchObject({ total: 5, pageCount: 3 });
    expect(olivias.rows).toHaveLength(2);

    const pastTheEnd = await searchDirectory(t.db, { q: "olivia", pageSize: 2, page: 4 });
    expect(pastTheEnd).toMatchObject({ total: 5, pageCount: 3, rows: [] });
    const olivias2 = await searchDirectory(t.db, { q: "olivia", sort: "id", pageSize: 2, page: 3 });
    expect(olivias2.rows.map((r) => r.id)).toEqual(
      seeds
        .filter((s) => s.firstName === "Olivia")
        .map((s) => s.id)
        .sort()
        .slice(4),
    );

    // No results still means one (empty) page; out-of-range sizes are clamped.
    expect(await searchDirectory(t.db, { q: "nobody" })).toMatchObject({ total: 0, pageCount: 1, rows: [] });
    expect(await searchDirectory(t.db, { pageSize: 1000 })).toMatchObject({ pageSize: 100, pageCount: 1 });
    const tiny = await searchDirectory(t.db, { pageSize: 0, page: -3 });
    expect(tiny).toMatchObject({ pageSize: 1, page: 1, pageCount: 50 });
    expect(tiny.rows).toHaveLength(1);
  });

  it("hides deleted users from searches, filters and totals", async () => {
    const gone = seeds[31]!;
    await t.db.update(basiqUsers).set({ deletedAt: new Date() }).where(eq(basiqUsers.id, gone.id));
    try {
      expect(await ids({ q: gone.id })).toEqual([]);
      expect(await ids({ q: gone.email })).toEqual([]);
      expect(await ids({ q: mobileFormats(gone.mobileNsn).local })).toEqual([]);
      expect(await ids({ q: `${gone.firstName} ${gone.lastName}` })).toEqual([]);
      expect((await searchDirectory(t.db, {})).total).toBe(49);
      for (const c of gone.connections) expect(await ids({ status: c.status })).not.toContain(gone.id);
      expect((await searchDirectory(t.db, { q: "usr-" })).total).toBe(49);
    } finally {
      await t.db.update(basiqUsers).set({ deletedAt: null }).where(eq(basiqUsers.id, gone.id));
    }
    expect(await ids({ q: gone.id })).toEqual([gone.id]);
  });

  it("lists the institutions present in the directory", async () => {
    expect(await directoryInstitutions(t.db)).toEqual([...INSTITUTIONS].sort());
  });

  it("stores no plaintext e-mail, mobile or name in any column", async () => {
    const users = rowsOf<{ row: string }>(
      await t.db.execute(sql`select to_jsonb(u)::text as row from basiq_users u`),
    );
    const words = rowsOf<{ row: string }>(
      await t.db.execute(
        sql`select to_jsonb(w)::text as row from basiq_user_name_words w union all select to_jsonb(p)::text from basiq_user_name_prefixes p`,
      ),
    );
    expect(users).toHaveLength(50);
    expect(words.length).toBeGreaterThanOrEqual(100);
    const stored = [...users, ...words].map((r) => r.row).join("\n");

    const needles = new Set<string>();
    for (const s of seeds) {
      const f = mobileFormats(s.mobileNsn);
      for (const v of [
        s.email,
        s.email.split("@")[0]!,
        s.mobileInput,
        f.e164,
        f.local,
        `0${s.mobileNsn}`,
        s.mobileNsn,
      ]) {
        needles.add(v);
      }
      for (const part of [s.firstName, s.middleName, s.lastName, `${s.firstName} ${s.lastName}`]) {
        // Short fragments could occur by chance inside base64 ciphertext; every seeded name part is 5+ letters
        // except "Zoë" (whose ë cannot appear in base64 anyway).
        if (part) {
          needles.add(part);
          needles.add(part.toLowerCase());
        }
      }
    }
    for (const needle of needles)
      expect(stored.includes(needle), `plaintext "${needle}" found in the database`).toBe(false);

    // ...and yet everything is there, encrypted.
    const [row] = await t.db.select().from(basiqUsers).where(eq(basiqUsers.id, seeds[12]!.id));
    expect(row!.emailEnc).toMatch(/^v1\./);
    expect(row!.mobileEnc).toMatch(/^v1\./);
    expect(row!.nameEnc).toMatch(/^v1\./);
  });
});

describe("a name shared by more users than the name-match cap", () => {
  let big: TestDatabase;
  beforeAll(async () => {
    big = await createTestDatabase();
    for (let i = 0; i < NAME_MATCH_CAP + 20; i++) {
      await recordDirectoryUser(big.db, { id: `common-${String(i).padStart(5, "0")}`, firstName: "Jamie", lastName: `Surname${i}`, connections: [] }, "seed");
    }
  }, 120_000);
  afterAll(async () => {
    await big?.close();
  });

  it("answers with the first matches and says the total is capped; a second word still finds one", async () => {
    const common = await searchDirectory(big.db, { q: "jamie", pageSize: 25 });
    expect(common.totalIsCapped).toBe(true);
    expect(common.total).toBe(NAME_MATCH_CAP);
    expect(common.rows).toHaveLength(25);
    const precise = await searchDirectory(big.db, { q: "jamie surname1017" });
    expect(precise.totalIsCapped).toBe(false);
    expect(precise.rows.map((r) => r.id)).toEqual(["common-01017"]);
  });
});
