// `npm test`: the browser step first (so a machine that cannot run the end-to-end tests fails in seconds, not after
// the unit tests), then typecheck, lint, unit and Playwright, each as its own npm script. Stops at the first failing
// stage with its exit code, and closes with the duration of every stage and Playwright project against the CI budget.
import { spawn } from "node:child_process";
import { existsSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";

import { BrowserNotFound, ensureBrowser, realBrowserDeps } from "./browser";
import { formatDuration, type PlaywrightTimes } from "./timing";

const CI_BUDGET_MS = 45 * 60_000;
const timesFile = path.join(tmpdir(), `basiq-console-test-times-${process.pid}.json`);

interface Done {
  stage: string;
  ms: number;
  note?: string;
}
const done: Done[] = [];
const runStart = Date.now();

// Ctrl-C reaches the running stage directly (same process group); wait for it to end and report.
process.on("SIGINT", () => {});
process.on("SIGTERM", () => {});

function runScript(script: string, env: NodeJS.ProcessEnv = process.env): Promise<number> {
  return new Promise((resolve) => {
    const child = spawn("npm", ["run", "--silent", script], { stdio: "inherit", env });
    child.on("error", () => resolve(1));
    child.on("exit", (code, signal) => resolve(code ?? (signal ? 130 : 1)));
  });
}

function readPlaywrightTimes(): PlaywrightTimes | null {
  if (!existsSync(timesFile)) return null;
  try {
    return JSON.parse(readFileSync(timesFile, "utf8")) as PlaywrightTimes;
  } catch {
    return null;
  } finally {
    rmSync(timesFile, { force: true });
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
    const times = d.stage === "e2e" ? readPlaywrightTimes() : null;
    if (times) {
      lines.push(row("  start-up (build + servers)", times.startupMs));
      for (const p of times.projects) lines.push(row(`  ${p.name}`, p.ms, `${p.tests} tests`));
    }
  }
  lines.push(row("total", total, total > CI_BUDGET_MS ? "OVER the CI budget" : undefined), `npm test: ${outcome}`);
  console.log(lines.join("\n"));
}

async function stage(name: string, script: string, env?: NodeJS.ProcessEnv): Promise<void> {
  console.log(`\n== ${name} (npm run ${script})`);
  const start = Date.now();
  const code = await runScript(script, env);
  done.push({ stage: name, ms: Date.now() - start, note: code === 0 ? undefined : `failed (exit ${code})` });
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
    done.push({ stage: "browser", ms: Date.now() - browserStart, note: found.path });
  } catch (err) {
    if (!(err instanceof BrowserNotFound)) throw err;
    console.error(`error: ${err.message}`);
    process.exit(1);
  }

  await stage("typecheck", "typecheck");
  await stage("lint", "lint");
  await stage("unit", "test:unit");
  await stage("e2e", "test:e2e", { ...process.env, CHROMIUM_PATH: chromiumPath, TEST_TIMES_FILE: timesFile });
  summary("all stages passed");
}

main().catch((err: unknown) => {
  console.error(`error: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
});
