import { describe, expect, it } from "vitest";

import { cn } from "./utils";

describe("cn", () => {
  it("drops falsy values and accepts clsx objects and arrays", () => {
    expect(cn("a", false, null, undefined, "b", { c: true, d: false }, ["e"])).toBe("a b c e");
  });

  it("lets a later Tailwind utility override a conflicting earlier one (issue 18 item 10)", () => {
    expect(cn("px-4 py-2 text-sm", "px-2")).toBe("py-2 text-sm px-2");
    expect(cn("bg-white text-slate-900", "bg-red-50")).toBe("text-slate-900 bg-red-50");
  });
});
