import { describe, expect, it } from "vitest";

import { startupBanner } from "./banner";

describe("npm start's closing banner", () => {
  it("in sandbox mode names the URL, the three demo accounts, the default password and the admin's second factor", () => {
    const text = startupBanner({
      url: "http://localhost:3000",
      mode: "sandbox",
      database: "embedded PGlite",
      demoPasswordSet: false,
      terminal: true,
    });
    expect(text).toContain("Console ready on http://localhost:3000 (sandbox mode, embedded PGlite)");
    expect(text).toMatch(/admin@example\.com\s+admin/);
    expect(text).toMatch(/support@example\.com\s+support/);
    expect(text).toMatch(/staff@example\.com\s+staff/);
    expect(text).toContain("password demo-password");
    expect(text).toContain("oathtool --totp -b <key>");
  });

  it("names a chosen DEMO_PASSWORD without printing it", () => {
    const text = startupBanner({
      url: "http://localhost:3000",
      mode: "sandbox",
      database: "PostgreSQL",
      demoPasswordSet: true,
      terminal: true,
    });
    expect(text).toContain("password the one in DEMO_PASSWORD");
    expect(text).not.toContain("demo-password");
  });

  it("in live mode lists no demo account (they are refused there) and says how to create the first admin", () => {
    const text = startupBanner({
      url: "https://console.example",
      mode: "live",
      database: "PostgreSQL",
      demoPasswordSet: false,
      terminal: true,
    });
    for (const email of ["admin@example.com", "support@example.com", "staff@example.com"])
      expect(text).not.toContain(email);
    expect(text).not.toContain("demo");
    expect(text).toContain("npm run staff:create -- --email");
    expect(text).not.toMatch(/@[a-z0-9-]+\.[a-z]/i);
  });

  it("piped or redirected (a log), names no e-mail address and points to the README instead", () => {
    const text = startupBanner({
      url: "http://localhost:3000",
      mode: "sandbox",
      database: "embedded PGlite",
      demoPasswordSet: false,
      terminal: false,
    });
    expect(text).toContain("Console ready on http://localhost:3000 (sandbox mode, embedded PGlite)");
    expect(text).not.toMatch(/@[a-z0-9-]+\.[a-z]/i);
    expect(text).toContain('README.md, "Demo accounts"');
  });
});
