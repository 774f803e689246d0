import { describe, expect, it } from "vitest";

import { cn } from "./utils";

describe("cn", () => {
  it("drops falsy values and accepts clsx objects and arrays", () => {
    expect(cn("a", false, null, undefined, "b", { c: true, d: false }, ["e"])).toBe("a b c e");
  });

  it("joins without merging: a later utility does not remove an earlier one (conflicts are refused by test/ui-class-conflicts.test.ts)", () => {
    expect(cn("px-4 py-2 text-sm", "px-2")).toBe("px-4 py-2 text-sm px-2");
    expect(cn("bg-white text-slate-900", { "bg-red-50": true })).toBe("bg-white text-slate-900 bg-red-50");
  });
});
