import { describe, expect, it } from "vitest";

import { dateBounds, parseTypedDate, startOfDayInZone, todayInZone } from "./dates";

describe("typed dates", () => {
  it("reads ISO and day-first dates, refusing impossible or month-first ones", () => {
    expect(parseTypedDate("2026-12-01")).toBe("2026-12-01");
    expect(parseTypedDate(" 1/12/2026 ")).toBe("2026-12-01");
    expect(parseTypedDate("01-12-2026")).toBe("2026-12-01");
    expect(parseTypedDate("1.2.2026")).toBe("2026-02-01");
    for (const bad of ["31/02/2026", "2026-13-01", "12/31/2026", "yesterday", "2026-1-1x", "", "0/0/0"]) {
      expect(parseTypedDate(bad), bad).toBeNull();
    }
  });
});

describe("days in the console's zone", () => {
  it("starts a day at midnight in the zone, across daylight saving", () => {
    // Sydney: AEDT (+11) in December, AEST (+10) in June.
    expect(startOfDayInZone("2026-12-01", "Australia/Sydney").toISOString()).toBe("2026-11-30T13:00:00.000Z");
    expect(startOfDayInZone("2026-06-01", "Australia/Sydney").toISOString()).toBe("2026-05-31T14:00:00.000Z");
    // The day DST starts (4 Oct 2026, 2 am → 3 am): midnight is still +10.
    expect(startOfDayInZone("2026-10-04", "Australia/Sydney").toISOString()).toBe("2026-10-03T14:00:00.000Z");
    expect(startOfDayInZone("2026-12-01", "UTC").toISOString()).toBe("2026-12-01T00:00:00.000Z");
  });

  it("turns a typed range into [start of from, start of the day after to) in the zone", () => {
    const b = dateBounds({ from: "2026-12-01", to: "2026-12-01" }, "Australia/Sydney");
    expect(b.start?.toISOString()).toBe("2026-11-30T13:00:00.000Z");
    expect(b.end?.toISOString()).toBe("2026-12-01T13:00:00.000Z");
  });

  it("turns presets into instants, today being today in the zone (not in UTC)", () => {
    const now = Date.parse("2026-12-01T20:30:00Z"); // 2 Dec, 7:30 am in Sydney
    expect(todayInZone("Australia/Sydney", now)).toBe("2026-12-02");
    expect(dateBounds({ range: "today" }, "Australia/Sydney", now).start?.toISOString()).toBe("2026-12-01T13:00:00.000Z");
    expect(dateBounds({ range: "24h" }, "Australia/Sydney", now).start?.toISOString()).toBe("2026-11-30T20:30:00.000Z");
    expect(dateBounds({ range: "7d", from: "2020-01-01" }, "UTC", now).start?.toISOString()).toBe("2026-11-24T20:30:00.000Z");
    expect(dateBounds({ range: "30d" }, "UTC", now).end).toBeUndefined();
  });
});
