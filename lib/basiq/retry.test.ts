import { describe, expect, it } from "vitest";

import { backoffDelayMs, isRetryableStatus, parseRetryAfter } from "./retry";

const NOW = Date.UTC(2026, 0, 1, 12, 0, 0);

describe("parseRetryAfter", () => {
  it("reads delta-seconds", () => {
    expect(parseRetryAfter("1", NOW)).toBe(1);
    expect(parseRetryAfter(" 120 ", NOW)).toBe(120);
    expect(parseRetryAfter("0", NOW)).toBe(0);
  });

  it("reads an HTTP date as seconds from now, rounding up", () => {
    expect(parseRetryAfter(new Date(NOW + 30_000).toUTCString(), NOW)).toBe(30);
    expect(parseRetryAfter(new Date(NOW + 90_000).toUTCString(), NOW + 500)).toBe(90);
  });

  it("treats a date in the past as 0", () => {
    expect(parseRetryAfter(new Date(NOW - 60_000).toUTCString(), NOW)).toBe(0);
  });

  it.each([null, undefined, "", "soon", "-5", "1.5", "12abc"])("ignores %j", (value) => {
    expect(parseRetryAfter(value, NOW)).toBeUndefined();
  });
});

describe("backoffDelayMs", () => {
  const almostOne = () => 0.999999;

  it("doubles from 0.5 s and caps at 8 s", () => {
    const ceilings = [0, 1, 2, 3, 4, 5, 10].map((n) => backoffDelayMs(n, almostOne));
    expect(ceilings).toEqual([499, 999, 1999, 3999, 7999, 7999, 7999]);
  });

  it("uses full jitter: anywhere from 0 to the ceiling", () => {
    expect(backoffDelayMs(3, () => 0)).toBe(0);
    expect(backoffDelayMs(3, () => 0.5)).toBe(2000);
  });
});

describe("isRetryableStatus", () => {
  it.each([408, 429, 500, 502, 503, 504])("retries %i", (status) =>
    expect(isRetryableStatus(status)).toBe(true),
  );
  it.each([400, 401, 403, 404, 409, 410, 422])("never retries %i", (status) =>
    expect(isRetryableStatus(status)).toBe(false),
  );
});
