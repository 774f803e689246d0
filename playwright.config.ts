import { defineConfig } from "@playwright/test";

import { locateBrowser, realBrowserDeps } from "./scripts/browser";

// E2E against `next build` + `next start` + the sandbox, all started by e2e/serve.ts on their own ports with a
// fresh database. The browser: CHROMIUM_PATH (`npm test` sets it to what scripts/browser.ts found or installed),
// else a Chromium/Chrome on the PATH, else Playwright's own downloaded Chromium.
const port = Number(process.env.E2E_PORT ?? 3100);
export const baseURL = `http://localhost:${port}`;

export default defineConfig({
  testDir: "e2e",
  outputDir: "test-results",
  forbidOnly: !!process.env.CI,
  retries: process.env.CI ? 1 : 0,
  workers: 2,
  timeout: 45_000,
  expect: { timeout: 10_000 },
  // Per-project durations first, so that the list reporter's closing line stays the last line.
  reporter: [["./e2e/timing-reporter.ts"], ["list"]],
  use: {
    baseURL,
    trace: "retain-on-failure",
    launchOptions: {
      executablePath: locateBrowser(realBrowserDeps()) ?? undefined,
      args: [
        "--no-sandbox",
        "--disable-gpu",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--no-first-run",
        "--disable-quic",
      ],
    },
  },
  projects: [
    { name: "setup", testMatch: /.*\.setup\.ts/ },
    // Ordinary specs run side by side. Then, alone: the secret/leak crawl (it reads the server log of everything
    // before it), and last the resilience specs (they inject faults into the shared sandbox).
    { name: "e2e", testMatch: /.*\.spec\.ts/, testIgnore: [/leaks\.spec\.ts/, /resilience\.spec\.ts/, /fuzz\.spec\.ts/, /sso\.spec\.ts/, /outage\.spec\.ts/], dependencies: ["setup"] },
    // Single sign-on (issue 19): the second console that e2e/serve.ts starts with a local OpenID provider.
    { name: "sso", testMatch: /sso\.spec\.ts/, use: { baseURL: `http://localhost:${process.env.E2E_SSO_PORT ?? 3110}` } },
    // E2E_FOCUS=1 (while working on one of them): `npx playwright test --project=fuzz` runs only setup first.
    // The HTTP fuzz runs alone so that the sandbox's request counters are its own.
    { name: "fuzz", testMatch: /fuzz\.spec\.ts/, dependencies: process.env.E2E_FOCUS ? ["setup"] : ["e2e"] },
    { name: "leaks", testMatch: /leaks\.spec\.ts/, dependencies: process.env.E2E_FOCUS ? ["setup"] : ["fuzz"] },
    { name: "resilience", testMatch: /resilience\.spec\.ts/, dependencies: process.env.E2E_FOCUS ? ["setup"] : ["leaks"] },
    // A full Basiq outage is global to the console process: alone, after every other project.
    { name: "outage", testMatch: /outage\.spec\.ts/, dependencies: process.env.E2E_FOCUS ? ["setup"] : ["resilience"] },
    // `npm run screenshots` only (SCREENSHOTS=1): saves every main page at both widths under e2e/screenshots/.
    ...(process.env.SCREENSHOTS ? [{ name: "screenshots", testMatch: /screenshots\.shots\.ts/, dependencies: ["setup"] }] : []),
  ],
  webServer: {
    command: "node_modules/.bin/tsx --conditions=react-server e2e/serve.ts",
    url: `${baseURL}/api/health`,
    timeout: 600_000, // the production build runs first (e2e/serve.ts): minutes on a busy 2-core machine
    reuseExistingServer: false,
    stdout: "ignore", // the console's log is in e2e/.auth/server.log (see e2e/paths.ts)
    stderr: "pipe",
    gracefulShutdown: { signal: "SIGTERM", timeout: 15_000 },
  },
});
