import { describe, expect, it } from "vitest";

import {
  APT_INSTALL,
  BrowserNotFound,
  ensureBrowser,
  locateBrowser,
  type BrowserDeps,
  type EnvVars,
} from "./browser";

const PW = "/root/.cache/ms-playwright/chromium-1/chrome-linux64/chrome";

interface Machine {
  env?: EnvVars;
  /** Executables on the PATH, by name → full path. */
  onPath?: Record<string, string>;
  /** Files that exist and are executable (PATH entries are added automatically). */
  files?: string[];
  /** Executables that exist but do not run (`--version` fails). */
  broken?: string[];
  downloadable?: boolean;
  root?: boolean;
  /** What each command does when run: installs files onto the fake machine; returns its exit success. */
  onRun?: (command: string, args: string[], machine: FakeMachine) => boolean;
}

interface FakeMachine {
  deps: BrowserDeps;
  runs: string[];
  logs: string[];
  install(name: string | null, file: string): void;
}

function fakeMachine(m: Machine): FakeMachine {
  const onPath = { ...m.onPath };
  const files = new Set([...(m.files ?? []), ...Object.values(onPath)]);
  const broken = new Set(m.broken ?? []);
  const runs: string[] = [];
  const logs: string[] = [];
  const machine: FakeMachine = {
    runs,
    logs,
    install(name, file) {
      files.add(file);
      if (name) onPath[name] = file;
    },
    deps: {
      env: m.env ?? {},
      which: (name) => onPath[name] ?? null,
      isExecutable: (file) => files.has(file),
      version: (file) => (files.has(file) && !broken.has(file) ? `Chromium 1.0 (${file})` : null),
      playwrightChromium: () => PW,
      canDownload: async () => m.downloadable ?? false,
      isRoot: () => m.root ?? false,
      run(command, args) {
        runs.push([command, ...args].join(" "));
        return m.onRun ? m.onRun(command, args, machine) : false;
      },
      log: (line) => logs.push(line),
    },
  };
  return machine;
}

const aptInstall = `/usr/bin/apt-get ${APT_INSTALL.join(" ")}`;

describe("ensureBrowser: the order it looks in", () => {
  it("uses CHROMIUM_PATH first, even with a browser on the PATH", async () => {
    const m = fakeMachine({
      env: { CHROMIUM_PATH: "/opt/chrome" },
      files: ["/opt/chrome", PW],
      onPath: { chromium: "/usr/bin/chromium" },
    });
    expect(await ensureBrowser(m.deps)).toMatchObject({ path: "/opt/chrome", source: "CHROMIUM_PATH" });
    expect(m.runs).toEqual([]);
  });

  it("refuses a CHROMIUM_PATH that does not run, with one line, and does not look elsewhere or install", async () => {
    const m = fakeMachine({
      env: { CHROMIUM_PATH: "/nope" },
      onPath: { chromium: "/usr/bin/chromium", "apt-get": "/usr/bin/apt-get" },
      root: true,
    });
    const err = await ensureBrowser(m.deps).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(BrowserNotFound);
    expect((err as Error).message).toMatch(/^CHROMIUM_PATH=\/nope is not a Chromium/);
    expect((err as Error).message).not.toContain("\n");
    expect(m.runs).toEqual([]);
  });

  it("takes a system browser from the PATH, preferring chromium over google-chrome", async () => {
    const m = fakeMachine({
      onPath: { "google-chrome": "/usr/bin/google-chrome", chromium: "/usr/bin/chromium" },
      files: [PW],
    });
    expect(await ensureBrowser(m.deps)).toMatchObject({
      path: "/usr/bin/chromium",
      source: "PATH (chromium)",
    });
    const chrome = fakeMachine({ onPath: { "google-chrome": "/usr/bin/google-chrome" }, files: [PW] });
    expect((await ensureBrowser(chrome.deps)).path).toBe("/usr/bin/google-chrome");
  });

  it("falls back to Playwright's downloaded Chromium when the PATH has none", async () => {
    const m = fakeMachine({
      files: [PW],
      downloadable: true,
      root: true,
      onPath: { "apt-get": "/usr/bin/apt-get" },
    });
    expect(await ensureBrowser(m.deps)).toMatchObject({ path: PW, source: "Playwright's Chromium" });
    expect(m.runs).toEqual([]);
  });

  it("skips a browser that is there but does not run, and says so", async () => {
    const m = fakeMachine({
      onPath: { chromium: "/usr/bin/chromium" },
      files: [PW],
      broken: ["/usr/bin/chromium"],
    });
    expect((await ensureBrowser(m.deps)).path).toBe(PW);
    expect(m.logs.join("\n")).toContain("/usr/bin/chromium (PATH (chromium)) is there but does not run");
  });
});

describe("ensureBrowser: installing when there is none", () => {
  it("downloads Playwright's Chromium when its host answers, before trying apt-get", async () => {
    const m = fakeMachine({
      downloadable: true,
      root: true,
      onPath: { "apt-get": "/usr/bin/apt-get" },
      onRun: (command, args, machine) => {
        if (command === "npx" && args.join(" ") === "playwright install chromium") machine.install(null, PW);
        return true;
      },
    });
    expect(await ensureBrowser(m.deps)).toMatchObject({
      path: PW,
      source: "installed with npx playwright install chromium",
    });
    expect(m.runs).toEqual(["npx playwright install chromium"]);
  });

  it("installs Debian's chromium with apt-get as root when nothing can be downloaded", async () => {
    const m = fakeMachine({
      downloadable: false,
      root: true,
      onPath: { "apt-get": "/usr/bin/apt-get" },
      onRun: (command, args, machine) => {
        if (args.includes("install")) machine.install("chromium", "/usr/bin/chromium");
        return true;
      },
    });
    expect(await ensureBrowser(m.deps)).toMatchObject({
      path: "/usr/bin/chromium",
      source: "installed with apt-get, PATH (chromium)",
    });
    expect(m.runs).toEqual([aptInstall]);
    expect(m.logs.join("\n")).toContain(`running: apt-get ${APT_INSTALL.join(" ")}`);
  });

  it("falls to apt-get when the Playwright download fails", async () => {
    const m = fakeMachine({
      downloadable: true,
      root: true,
      onPath: { "apt-get": "/usr/bin/apt-get" },
      onRun: (command, args, machine) => {
        if (command === "npx") return false;
        machine.install("chromium", "/usr/bin/chromium");
        return true;
      },
    });
    expect((await ensureBrowser(m.deps)).path).toBe("/usr/bin/chromium");
    expect(m.runs).toEqual(["npx playwright install chromium", aptInstall]);
  });

  it("refreshes the package lists once when the first apt-get install fails", async () => {
    let installs = 0;
    const m = fakeMachine({
      root: true,
      onPath: { "apt-get": "/usr/bin/apt-get" },
      onRun: (_command, args, machine) => {
        if (!args.includes("install")) return true;
        installs += 1;
        if (installs === 1) return false;
        machine.install("chromium", "/usr/bin/chromium");
        return true;
      },
    });
    expect((await ensureBrowser(m.deps)).path).toBe("/usr/bin/chromium");
    expect(m.runs).toEqual([
      aptInstall,
      "/usr/bin/apt-get -o DPkg::Lock::Timeout=600 update -qq",
      aptInstall,
    ]);
  });

  it("does not run apt-get when not root, and says in one line to run it with sudo", async () => {
    const m = fakeMachine({ root: false, onPath: { "apt-get": "/usr/bin/apt-get" }, onRun: () => true });
    const err = await ensureBrowser(m.deps).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(BrowserNotFound);
    expect((err as Error).message).toContain("run `sudo apt-get install -y chromium`");
    expect((err as Error).message).not.toContain("\n");
    expect(m.runs).toEqual([]);
  });

  it("without apt-get nor a reachable download host, says to run npx playwright install chromium", async () => {
    const m = fakeMachine({ root: true, downloadable: false, onRun: () => true });
    const err = await ensureBrowser(m.deps).catch((e: unknown) => e);
    expect((err as Error).message).toContain("run `npx playwright install chromium`");
    expect(m.runs).toEqual([]);
  });

  it("reports a failed apt-get install in one line", async () => {
    const m = fakeMachine({ root: true, onPath: { "apt-get": "/usr/bin/apt-get" }, onRun: () => false });
    const err = await ensureBrowser(m.deps).catch((e: unknown) => e);
    expect((err as Error).message).toMatch(/^installing Debian's chromium failed/);
    expect((err as Error).message).not.toContain("\n");
  });
});

describe("locateBrowser (playwright.config.ts: look only)", () => {
  it("follows the same order without running anything", () => {
    expect(
      locateBrowser(
        fakeMachine({ env: { CHROMIUM_PATH: "/x" }, onPath: { chromium: "/usr/bin/chromium" } }).deps,
      ),
    ).toBe("/x");
    expect(locateBrowser(fakeMachine({ onPath: { chromium: "/usr/bin/chromium" }, files: [PW] }).deps)).toBe(
      "/usr/bin/chromium",
    );
    expect(locateBrowser(fakeMachine({ files: [PW] }).deps)).toBe(PW);
    expect(locateBrowser(fakeMachine({}).deps)).toBeNull();
  });
});
