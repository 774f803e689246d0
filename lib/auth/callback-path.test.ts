import { describe, expect, it } from "vitest";

import { safeCallbackPath, sameOriginPath } from "./callback-path";

// Issue 14 item 1: `/login?callbackUrl=/%09/evil.example` answered `Location: /<TAB>/evil.example`, which a browser
// reads as `//evil.example` (TAB, CR and LF are stripped from URLs), and CR/LF or non-ASCII values made the
// redirect throw (HTTP 500). Every value must come back as a same-origin path that a browser cannot read as
// another host, or as "/".
const hostile = [
  "/\t/evil.example",
  "/\t\t/evil.example",
  "/\n/evil.example",
  "/\r/evil.example",
  "/\r\n/evil.example",
  "\t//evil.example",
  " //evil.example",
  "//evil.example",
  "/\\evil.example",
  "\\\\evil.example",
  "/\\/evil.example",
  "/./\\evil.example",
  "/.//evil.example",
  "/..//evil.example",
  "/%2e//evil.example",
  "https://evil.example/",
  "javascript:alert(1)",
  "data:text/html,hi",
  // Relative references resolve on our own origin (`/evil.example`): harmless, and kept as such.
  "http:evil.example",
  "evil.example",
  "",
  "/login",
  "/login?x=1",
  "/api/auth/signout",
];

const elsewhere = hostile.filter((v) => v.includes("evil") && !["http:evil.example", "evil.example"].includes(v));

/** How a browser would resolve a Location value on our origin. */
function browserTarget(location: string): URL {
  return new URL(location, "https://console.example/");
}

describe("safeCallbackPath", () => {
  it.each(hostile)("never leaves the origin nor loops back to sign-in: %j", (value) => {
    const path = safeCallbackPath(value);
    expect(path.startsWith("/")).toBe(true);
    expect(path.startsWith("//")).toBe(false);
    expect(path.startsWith("/\\")).toBe(false);
    expect(/[\u0000-\u001f\u007f-\uffff\\]/.test(path)).toBe(false);
    expect(browserTarget(path).origin).toBe("https://console.example");
    expect(browserTarget(path).pathname.startsWith("/login")).toBe(false);
  });

  it.each(elsewhere)("answers / for anything pointing elsewhere: %j", (value) => {
    expect(safeCallbackPath(value)).toBe("/");
  });

  it("keeps ordinary console paths with their query and fragment", () => {
    expect(safeCallbackPath("/users/u-1?tab=jobs#top")).toBe("/users/u-1?tab=jobs#top");
    expect(safeCallbackPath("/audit?actor=a%40b.c")).toBe("/audit?actor=a%40b.c");
    expect(safeCallbackPath("/")).toBe("/");
  });

  it("percent-encodes control and non-ASCII characters instead of putting them in a header (no 500)", () => {
    for (const value of ["/users/é", "/users/\u2028x", "/a\u0000b", "/users?q=\r\nSet-Cookie:x=1", "/users/\ud800"]) {
      const path = safeCallbackPath(value);
      expect(/[^\u0021-\u007e]/.test(path)).toBe(false);
      // A Location header built from it is valid.
      expect(() => new Headers({ location: path })).not.toThrow();
    }
  });

  it("refuses non-strings and over-long values", () => {
    expect(safeCallbackPath(undefined)).toBe("/");
    expect(safeCallbackPath(["/users"])).toBe("/");
    expect(safeCallbackPath(`/${"a".repeat(3000)}`)).toBe("/");
  });
});

describe("sameOriginPath (next-auth's redirect callback)", () => {
  const base = "https://console.example";
  it("accepts same-origin absolute URLs and paths, rebuilt as an absolute URL on the base", () => {
    expect(sameOriginPath(`${base}/login?x=1`, base)).toBe(`${base}/login?x=1`);
    expect(sameOriginPath("/login/second-factor?callbackUrl=%2F", base)).toBe(`${base}/login/second-factor?callbackUrl=%2F`);
  });
  it.each(elsewhere)("answers the base for anything else: %j", (value) => {
    expect(sameOriginPath(value, base)).toBe(`${base}/`);
  });
});
