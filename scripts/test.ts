// `npm test`: the browser step first (so a machine that cannot run the end-to-end tests fails in seconds, not after
// the unit tests), then typecheck, lint, unit and Playwright, each as its own npm script. Stops at the first failing
// stage with its exit code, and closes with the duration of every stage and Playwright project against the CI budget.
import { spawn, type ChildProcess } from "node:child_process";
import { readFileSync, statSync } from "node:fs";

import { BrowserNotFound, ensureBrowser, realBrowserDeps } from "./browser";
import { formatDuration, PLAYWRIGHT_TIMES_FILE, type PlaywrightTimes } from "./timing";

const CI_BUDGET_MS = 45 * 60_000;

interface Done {
  stage: string;
  started: number;
  ms: number;
  note?: string;
}
const done: Done[] = [];
const runStart = Date.now();

// Ctrl-C reaches the running stage directly (same process group); a SIGTERM sent to this process alone is passed
// on. Either way the stage ends, and this reports it and exits with its code.
let running: ChildProcess | null = null;
process.on("SIGINT", () => {});
process.on("SIGTERM", () => running?.kill("SIGTERM"));

function runScript(script: string, env: NodeJS.ProcessEnv = process.env): Promise<number> {
  return new Promise((resolve) => {
    const child = spawn("npm", ["run", "--silent", script], { stdio: "inherit", env });
    running = child;
    child.on("error", () => resolve(1));
    child.on("exit", (code, signal) => resolve(code ?? (signal ? 130 : 1)));
  });
}

/** The reporter's times, when this run's Playwright stage wrote them. */
function readPlaywrightTimes(since: number): PlaywrightTimes | null {
  try {
    if (statSync(PLAYWRIGHT_TIMES_FILE).mtimeMs < since) return null;
    return JSON.parse(readFileSync(PLAYWRIGHT_TIMES_FILE, "utf8")) as PlaywrightTimes;
  } catch {
    return null;
  }
}

function row(label: string, ms: number, note?: string): string {
  return `  ${label.padEnd(30)}${formatDuration(ms).padStart(8)}${note ? `  ${note}` : ""}`;
}

function summary(outcome: string): void {
  const total = Date.now() - runStart;
  const lines = ["", `npm test: durations (CI budget ${formatDuration(CI_BUDGET_MS)})`];
  for (const d of done) {
    lines.push(row(d.stage, d.ms, d.note));
    const times = d.stage === "e2e" ? readPlaywrightTimes(d.started) : null;
    if (times) {
      lines.push(row("  start-up (build + servers)", times.startupMs));
      for (const p of times.projects) lines.push(row(`  ${p.name}`, p.ms, `${p.tests} tests`));
    }
  }
  lines.push(
    row("total", total, total > CI_BUDGET_MS ? "OVER the CI budget" : undefined),
    `npm test: ${outcome}`,
  );
  console.log(lines.join("\n"));
}

async function stage(name: string, script: string, env?: NodeJS.ProcessEnv): Promise<void> {
  console.log(`\n== ${name} (npm run ${script})`);
  const start = Date.now();
  const code = await runScript(script, env);
  done.push({
    stage: name,
    started: start,
    ms: Date.now() - start,
    note: code === 0 ? undefined : `failed (exit ${code})`,
  });
  if (code !== 0) {
    summary(`${name} failed (exit ${code}); later stages not run`);
    process.exit(code);
  }
}

async function main(): Promise<void> {
  console.log("== browser for the end-to-end tests");
  const browserStart = Date.now();
  let chromiumPath: string;
  try {
    const found = await ensureBrowser(realBrowserDeps());
    console.log(`browser: ${found.version} at ${found.path} (${found.source})`);
    chromiumPath = found.path;
    done.push({ stage: "browser", started: browserStart, ms: Date.now() - browserStart, note: found.path });
  } catch (err) {
    if (!(err instanceof BrowserNotFound)) throw err;
    console.error(`error: ${err.message}`);
    process.exit(1);
  }

  await stage("typecheck", "typecheck");
  await stage("lint", "lint");
  await stage("unit", "test:unit");
  await stage("e2e", "test:e2e", { ...process.env, CHROMIUM_PATH: chromiumPath });
  summary("all stages passed");
}

main().catch((err: unknown) => {
  console.error(`error: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
});
