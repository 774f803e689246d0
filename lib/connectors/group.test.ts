// Issue 18 item 6: one row per bank, worst method first, "most failures" by the bank's real failure count.
import { describe, expect, it } from "vitest";

import { groupByBank, type MethodRow } from "./group";

const row = (id: string, name: string, method: string, status: string, failed24h = 0, failed7d = 0): MethodRow => ({
  id,
  method,
  name,
  shortName: null,
  logoUrl: null,
  tier: "1",
  stage: "live",
  status,
  statusSince: "2026-12-01T00:00:00.000Z",
  statusSinceObserved: false,
  scopes: [],
  failed24h,
  failed7d,
  connections: 0,
  failingConnections: 0,
  spike: false,
});

const rows = [
  row("AU00201", "NAB", "openbanking", "operational", 3, 9),
  row("AU00201", "NAB", "web", "major-outage", 3, 9),
  row("AU00101", "ANZ", "web", "operational", 5, 6),
  row("AU00101", "ANZ", "openbanking", "operational", 5, 6),
  row("AU00301", "Westpac", "web", "operational", 5, 20),
];

describe("groupByBank", () => {
  it("gives one row per bank with its methods, worst status first, and the bank's status is the worst", () => {
    const banks = groupByBank(rows, "name");
    expect(banks.map((b) => b.name)).toEqual(["ANZ", "NAB", "Westpac"]);
    const nab = banks.find((b) => b.id === "AU00201")!;
    expect(nab.methods.map((m) => m.method)).toEqual(["web", "openbanking"]);
    expect(nab.status).toBe("major-outage");
  });

  it("puts banks needing attention first", () => {
    expect(groupByBank(rows, "attention")[0]!.name).toBe("NAB");
  });

  it("'most failures' sorts banks by their failures counted once (24 h, then 7 d), not per method", () => {
    expect(groupByBank(rows, "failures").map((b) => [b.name, b.failed24h, b.failed7d])).toEqual([
      ["Westpac", 5, 20],
      ["ANZ", 5, 6],
      ["NAB", 3, 9],
    ]);
  });
});
