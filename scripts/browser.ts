// Which Chromium the end-to-end tests launch, and installing one when the machine has none. `npm test` calls
// `ensureBrowser` before anything else (scripts/test.ts); playwright.config.ts calls `locateBrowser` (look only).
// Order: CHROMIUM_PATH; a Chromium/Chrome on the PATH; Playwright's own downloaded Chromium; then install —
// `npx playwright install chromium` when Playwright's download host answers, otherwise Debian's `chromium` through
// apt-get when running as root. Everything the real machine does is behind `BrowserDeps` so the order is testable.
import { spawnSync } from "node:child_process";
import { accessSync, constants, statSync } from "node:fs";
import path from "node:path";

import { chromium } from "playwright-core";

/** Names a system Chromium or Chrome goes by on the PATH, in order of preference. */
export const SYSTEM_BROWSERS = [
  "chromium",
  "chromium-browser",
  "google-chrome",
  "google-chrome-stable",
  "chrome",
];

export const APT_INSTALL = ["-o", "DPkg::Lock::Timeout=600", "install", "-y", "-qq", "chromium"];

export type EnvVars = Record<string, string | undefined>;

export interface BrowserDeps {
  env: EnvVars;
  /** Full path of an executable `name` on the PATH, or null. */
  which(name: string): string | null;
  isExecutable(file: string): boolean;
  /** The browser's `--version` line, or null when it does not run (missing, or missing system libraries). */
  version(file: string): string | null;
  /** Where Playwright's own Chromium lives once downloaded (playwright-core's registry knows). */
  playwrightChromium(): string;
  /** Whether Playwright's download host can be reached from here (answers quickly either way). */
  canDownload(): Promise<boolean>;
  isRoot(): boolean;
  /** Runs a command with the output shown; true when it exits 0. */
  run(command: string, args: string[]): boolean;
  log(line: string): void;
}

export interface FoundBrowser {
  path: string;
  version: string;
  /** How it was found, e.g. "CHROMIUM_PATH", "PATH (chromium)", "installed with apt-get". */
  source: string;
}

/** Nothing usable and nothing installable. The message is the one line to show: what to run. */
export class BrowserNotFound extends Error {
  override name = "BrowserNotFound";
}

/** Looks without installing or running anything: for playwright.config.ts. */
export function locateBrowser(
  deps: Pick<BrowserDeps, "env" | "which" | "isExecutable" | "playwrightChromium">,
): string | null {
  if (deps.env.CHROMIUM_PATH) return deps.env.CHROMIUM_PATH;
  for (const name of SYSTEM_BROWSERS) {
    const found = deps.which(name);
    if (found) return found;
  }
  const own = deps.playwrightChromium();
  return deps.isExecutable(own) ? own : null;
}

function tryCandidate(deps: BrowserDeps, file: string, source: string): FoundBrowser | null {
  if (!deps.isExecutable(file)) return null;
  const version = deps.version(file);
  if (version) return { path: file, version, source };
  deps.log(`${file} (${source}) is there but does not run (missing system libraries?); looking further`);
  return null;
}

function findInstalled(deps: BrowserDeps): FoundBrowser | null {
  for (const name of SYSTEM_BROWSERS) {
    const file = deps.which(name);
    const found = file && tryCandidate(deps, file, `PATH (${name})`);
    if (found) return found;
  }
  return tryCandidate(deps, deps.playwrightChromium(), "Playwright's Chromium");
}

export async function ensureBrowser(deps: BrowserDeps): Promise<FoundBrowser> {
  const configured = deps.env.CHROMIUM_PATH;
  if (configured) {
    const found = tryCandidate(deps, configured, "CHROMIUM_PATH");
    if (found) return found;
    throw new BrowserNotFound(
      `CHROMIUM_PATH=${configured} is not a Chromium that runs here: point it at one (e.g. /usr/bin/chromium) or unset it, then run npm test again`,
    );
  }

  const installed = findInstalled(deps);
  if (installed) return installed;

  deps.log(
    "no Chromium found (CHROMIUM_PATH unset, none on the PATH, Playwright's not downloaded): installing one",
  );
  if (await deps.canDownload()) {
    deps.log("running: npx playwright install chromium");
    if (deps.run("npx", ["playwright", "install", "chromium"])) {
      const found = tryCandidate(
        deps,
        deps.playwrightChromium(),
        "installed with npx playwright install chromium",
      );
      if (found) return found;
    }
  } else {
    deps.log(
      "Playwright's download host cannot be reached from here: not trying npx playwright install chromium",
    );
  }

  const aptGet = deps.which("apt-get");
  if (aptGet && deps.isRoot()) {
    deps.log(`running: apt-get ${APT_INSTALL.join(" ")}`);
    let ok = deps.run(aptGet, APT_INSTALL);
    if (!ok) {
      deps.log("apt-get install failed; refreshing the package lists (apt-get update) and trying once more");
      ok =
        deps.run(aptGet, ["-o", "DPkg::Lock::Timeout=600", "update", "-qq"]) && deps.run(aptGet, APT_INSTALL);
    }
    const found = ok ? findInstalled(deps) : null;
    if (found) return { ...found, source: `installed with apt-get, ${found.source}` };
    throw new BrowserNotFound(
      "installing Debian's chromium failed (see above): fix that and run `apt-get install -y chromium`, or set CHROMIUM_PATH to a Chromium, then run npm test again",
    );
  }
  if (aptGet) {
    throw new BrowserNotFound(
      "no Chromium for the end-to-end tests and only root can install one here: run `sudo apt-get install -y chromium` (or set CHROMIUM_PATH to a Chromium), then npm test again",
    );
  }
  throw new BrowserNotFound(
    "no Chromium for the end-to-end tests and none can be installed here: run `npx playwright install chromium` on a network that reaches cdn.playwright.dev (or set CHROMIUM_PATH to a Chromium), then npm test again",
  );
}

// The real machine.

function isExecutable(file: string): boolean {
  try {
    if (!statSync(file).isFile()) return false;
    accessSync(file, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

function which(name: string, env: EnvVars): string | null {
  for (const dir of (env.PATH ?? "").split(path.delimiter)) {
    if (!dir) continue;
    const file = path.join(dir, name);
    if (isExecutable(file)) return file;
  }
  return null;
}

async function canDownload(env: EnvVars): Promise<boolean> {
  // Behind a proxy Node's fetch cannot tell; Playwright's installer uses the proxy and fails quickly on its own.
  if (env.HTTPS_PROXY || env.https_proxy) return true;
  const host = env.PLAYWRIGHT_DOWNLOAD_HOST || "https://cdn.playwright.dev";
  try {
    await fetch(host, { method: "HEAD", signal: AbortSignal.timeout(5000) });
    return true;
  } catch {
    return false;
  }
}

export function realBrowserDeps(
  env: NodeJS.ProcessEnv = process.env,
  log = (line: string) => console.log(`browser: ${line}`),
): BrowserDeps {
  return {
    env,
    which: (name) => which(name, env),
    isExecutable,
    version(file) {
      const result = spawnSync(file, ["--version"], { encoding: "utf8", timeout: 20_000, env });
      const line = result.status === 0 ? result.stdout.trim().split("\n")[0] : "";
      return line || null;
    },
    playwrightChromium: () => chromium.executablePath(),
    canDownload: () => canDownload(env),
    isRoot: () => process.getuid?.() === 0,
    run(command, args) {
      const result = spawnSync(command, args, {
        stdio: "inherit",
        env: { ...env, DEBIAN_FRONTEND: "noninteractive" },
      });
      return result.status === 0;
    },
    log,
  };
}
