import { describe, expect, it } from "vitest";

import { contentSecurityPolicy, createNonce, securityHeaders, SONNER_STYLE_HASH, EMPTY_STYLE_HASH } from "./headers";

/** The CSP as directive → values, so each check reads one directive. */
function parse(csp: string): Map<string, string[]> {
  return new Map(
    csp.split(";").map((d) => {
      const [name = "", ...values] = d.trim().split(/\s+/);
      return [name, values] as const;
    }),
  );
}

describe("createNonce", () => {
  it("is 128 random bits in base64, different every time", () => {
    const nonces = new Set(Array.from({ length: 1000 }, createNonce));
    expect(nonces.size).toBe(1000);
    for (const n of nonces) {
      expect(n).toMatch(/^[A-Za-z0-9+/]{22}==$/);
      expect(Buffer.from(n, "base64")).toHaveLength(16);
    }
  });
});

describe("contentSecurityPolicy", () => {
  const nonce = createNonce();

  it("production: scripts only by nonce (+ what they load), nothing inline, no eval", () => {
    const csp = parse(contentSecurityPolicy(nonce, { nodeEnv: "production" }));
    expect(csp.get("script-src")).toEqual(["'self'", `'nonce-${nonce}'`, "'strict-dynamic'"]);
    expect(csp.get("style-src")).toEqual(["'self'", `'nonce-${nonce}'`, SONNER_STYLE_HASH, EMPTY_STYLE_HASH]); // sonner's one <style>, by hash (components/ui/toast-csp.test.ts)
    expect(csp.get("style-src-attr")).toEqual(["'unsafe-inline'"]);
    expect(csp.get("default-src")).toEqual(["'self'"]);
    expect(csp.get("object-src")).toEqual(["'none'"]);
    expect(csp.get("base-uri")).toEqual(["'none'"]);
    expect(csp.get("form-action")).toEqual(["'self'"]);
    // With single sign-on, the provider's origin too (the SSO form's answer redirects there), and nothing else.
    const sso = (issuer: string) => parse(contentSecurityPolicy(nonce, { nodeEnv: "production", oidcIssuer: issuer })).get("form-action");
    expect(sso("https://login.example.com/tenant/v2.0")).toEqual(["'self'", "https://login.example.com"]);
    expect(sso("javascript:alert(1)")).toEqual(["'self'"]);
    expect(sso("not a url; script-src *")).toEqual(["'self'"]);
    expect(csp.get("frame-ancestors")).toEqual(["'none'"]);
    expect(csp.get("connect-src")).toEqual(["'self'"]);
    expect(csp.get("img-src")).toEqual(["'self'", "data:", "https://cdn.basiq.io"]);
  });

  it("never allows inline or eval'd scripts outside development", () => {
    for (const nodeEnv of ["production", "test", undefined]) {
      const policy = contentSecurityPolicy(nonce, { nodeEnv });
      expect(parse(policy).get("script-src")).not.toContain("'unsafe-inline'");
      expect(policy).not.toContain("'unsafe-eval'");
    }
  });

  it("development adds only eval for scripts (React's dev error stacks) and inline styles (next dev)", () => {
    const csp = parse(contentSecurityPolicy(nonce, { nodeEnv: "development" }));
    expect(csp.get("script-src")).toEqual([
      "'self'",
      `'nonce-${nonce}'`,
      "'strict-dynamic'",
      "'unsafe-eval'",
    ]);
    expect(csp.get("style-src")).toEqual(["'self'", "'unsafe-inline'"]);
    expect(csp.get("frame-ancestors")).toEqual(["'none'"]);
  });

  it("refuses a nonce that could break out of the header", () => {
    expect(() => contentSecurityPolicy("abc'; script-src *", { nodeEnv: "production" })).toThrow();
    expect(() => contentSecurityPolicy("", { nodeEnv: "production" })).toThrow();
  });
});

describe("securityHeaders", () => {
  it("production: HSTS for two years with subdomains, and the fixed set", () => {
    expect(securityHeaders({ nodeEnv: "production" })).toEqual({
      "X-Content-Type-Options": "nosniff",
      "Referrer-Policy": "same-origin",
      "X-Frame-Options": "DENY",
      "Permissions-Policy": "camera=(), microphone=(), geolocation=(), payment=(), usb=()",
      "Cross-Origin-Opener-Policy": "same-origin",
      "Cache-Control": "no-store",
      "Strict-Transport-Security": "max-age=63072000; includeSubDomains",
    });
  });

  it("no HSTS outside production builds (a dev server on http://localhost must not pin https)", () => {
    for (const nodeEnv of ["development", "test", undefined]) {
      const h = securityHeaders({ nodeEnv });
      expect(h).not.toHaveProperty("Strict-Transport-Security");
      expect(h["Cache-Control"]).toBe("no-store");
      expect(h["X-Content-Type-Options"]).toBe("nosniff");
    }
  });
});
