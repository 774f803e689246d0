import { describe, expect, it } from "vitest";

import { initialsOf } from "./connector-logo";

describe("initialsOf (the bank-logo fallback)", () => {
  it("takes the first letters of the first two words", () => {
    expect(initialsOf("Commonwealth Bank of Australia")).toBe("CB");
    expect(initialsOf("ING")).toBe("IN");
    expect(initialsOf("St.George Bank")).toBe("SG");
  });
  it("ignores punctuation and says ? with no name", () => {
    expect(initialsOf("  (Hooli)  ")).toBe("HO");
    expect(initialsOf("")).toBe("?");
    expect(initialsOf(null)).toBe("?");
  });
});
