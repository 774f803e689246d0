import { describe, expect, it } from "vitest";

import { parseTheme, themeClass } from "./theme";

describe("theme", () => {
  it("follows the system unless light or dark was chosen", () => {
    expect(themeClass(undefined)).toBe("");
    expect(themeClass("system")).toBe("");
    expect(themeClass("dark")).toBe("dark");
    expect(themeClass("light")).toBe("light");
  });

  it("ignores anything else in the cookie", () => {
    expect(parseTheme("<script>")).toBe("system");
    expect(themeClass("DARK")).toBe("");
  });
});
