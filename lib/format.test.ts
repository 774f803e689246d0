import { describe, expect, it } from "vitest";

import {
  formatCount,
  formatDateTime,
  formatDateTimeWithZone,
  formatMoney,
  formatRelative,
  isTimeZone,
  isoDateTime,
  timeZoneAbbreviation,
} from "./format";

const at = "2026-12-01T22:41:00Z"; // 9:41 am on 2 Dec in Sydney (AEDT, UTC+11), 6:41 am in Perth

describe("format", () => {
  it("shows a date in the configured zone, not the machine's", () => {
    expect(formatDateTime(at, "Australia/Sydney")).toMatch(/^2 Dec 2026, 9:41\sam$/);
    expect(formatDateTime(at, "Australia/Perth")).toMatch(/^2 Dec 2026, 6:41\sam$/);
    expect(formatDateTime(at, "UTC")).toMatch(/^1 Dec 2026, 10:41\spm$/);
  });

  it("names the zone in the absolute form", () => {
    expect(timeZoneAbbreviation("Australia/Sydney", at)).toBe("AEDT");
    expect(timeZoneAbbreviation("Australia/Sydney", "2026-07-01T00:00:00Z")).toBe("AEST");
    expect(formatDateTimeWithZone(at, "Australia/Sydney")).toMatch(/9:41\sam AEDT$/);
  });

  it("renders missing or invalid dates as a dash", () => {
    expect(formatDateTime(null, "UTC")).toBe("—");
    expect(formatDateTime("not a date", "UTC")).toBe("—");
    expect(isoDateTime(undefined)).toBeUndefined();
    expect(isoDateTime(at)).toBe("2026-12-01T22:41:00.000Z");
  });

  it("relative times in both directions", () => {
    const now = Date.parse(at);
    expect(formatRelative(new Date(now - 5 * 60_000), now)).toBe("5 min ago");
    expect(formatRelative(new Date(now + 2 * 3600_000), now)).toBe("in 2 h");
    expect(formatRelative(new Date(now - 3 * 86400_000), now)).toBe("3 d ago");
    expect(formatRelative(null, now)).toBe("never");
  });

  it("money as $75,210.43", () => {
    expect(formatMoney("75210.43", "AUD")).toBe("$75,210.43");
    expect(formatMoney(-12.5, "AUD")).toBe("-$12.50");
    expect(formatMoney("1000", null)).toBe("$1,000.00");
    expect(formatMoney("5", "usd")).toMatch(/^USD\s5\.00$/);
    expect(formatMoney(null, "AUD")).toBe("—");
    expect(formatMoney("abc", "AUD")).toBe("—");
  });

  it("counts with thousands separators", () => {
    expect(formatCount(75210)).toBe("75,210");
  });

  it("knows real zones and rejects made-up ones", () => {
    expect(isTimeZone("Australia/Sydney")).toBe(true);
    expect(isTimeZone("Mars/Olympus_Mons")).toBe(false);
    expect(isTimeZone("")).toBe(false);
  });
});
