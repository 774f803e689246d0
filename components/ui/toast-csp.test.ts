// The Content-Security-Policy allows sonner's one injected <style> by hash: this recomputes the hash from the sonner
// actually installed, so an upgrade that changes its CSS fails here rather than as a CSP violation on every page.
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";

import { describe, expect, it } from "vitest";

import { contentSecurityPolicy, EMPTY_STYLE_HASH, SONNER_STYLE_HASH } from "@/lib/security/headers";

function injectedCss(file: string): string {
  const source = readFileSync(file, "utf8");
  const match = /__insertCSS\("((?:[^"\\]|\\.)*)"\);/.exec(source);
  expect(match, `sonner's injected CSS in ${file}`).not.toBeNull();
  return JSON.parse(`"${match![1]}"`) as string;
}

describe("sonner under the CSP", () => {
  it("allows exactly the style sonner injects, in both of its builds", () => {
    const require = createRequire(import.meta.url);
    const esm = require.resolve("sonner").replace(/index\.js$/, "index.mjs");
    for (const file of [require.resolve("sonner"), esm]) {
      const hash = createHash("sha256").update(injectedCss(file), "utf8").digest("base64");
      expect(`'sha256-${hash}'`).toBe(SONNER_STYLE_HASH);
    }
    expect(`'sha256-${createHash("sha256").update("").digest("base64")}'`).toBe(EMPTY_STYLE_HASH);
    expect(contentSecurityPolicy("bm9uY2U=", { nodeEnv: "production" })).toContain(`style-src 'self' 'nonce-bm9uY2U=' ${SONNER_STYLE_HASH} ${EMPTY_STYLE_HASH}`);
  });
});
