// `npm start` (and `npm run dev` with --dev): one command from a fresh clone to a working console.
// 1. validate configuration (a bad variable stops here with one line naming it);
// 2. build if the build is missing or older than the sources (start only);
// 3. start the local Basiq sandbox when BASIQ_API_KEY is unset;
// 4. migrate the database and, in sandbox mode, seed demo accounts and the directory;
// 5. run `next start` (or `next dev`) and pass SIGINT/SIGTERM on, so the embedded database closes cleanly;
// 6. once it answers, close the start-up output with what a newcomer needs (scripts/banner.ts).
import { spawn, spawnSync } from "node:child_process";
import { existsSync, readdirSync, statSync } from "node:fs";
import path from "node:path";

import { prepareDatabase } from "@/lib/bootstrap";
import { ConfigError, loadEnv, type Env } from "@/lib/env";
import { startSandbox, type Sandbox } from "@/sandbox/server";
import { sandboxOptionsFromEnv } from "@/sandbox/config";

import { startupBanner } from "./banner";

const dev = process.argv.includes("--dev");
const root = process.cwd();
const nextBin = path.join(root, "node_modules", "next", "dist", "bin", "next");
// Next.js's telemetry notice is noise for a newcomer; the build and the server both get this.
const nextEnv = { ...process.env, NEXT_TELEMETRY_DISABLED: "1" };

function fail(message: string): never {
  process.stderr.write(`error: ${message}\n`);
  process.exit(1);
}

function newestMtime(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (entry.name === "node_modules" || entry.name.startsWith(".")) continue;
    const full = path.join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestMtime(full) : statSync(full).mtimeMs);
  }
  return newest;
}

function buildIfNeeded(): void {
  const buildId = path.join(root, ".next", "BUILD_ID");
  const sources = ["app", "components", "lib", "public"].filter((d) => existsSync(path.join(root, d)));
  const configFiles = ["next.config.ts", "package-lock.json", "postcss.config.mjs"].filter((f) => existsSync(f));
  const newestSource = Math.max(
    ...sources.map((d) => newestMtime(path.join(root, d))),
    ...configFiles.map((f) => statSync(f).mtimeMs),
  );
  if (existsSync(buildId) && statSync(buildId).mtimeMs >= newestSource) return;
  console.log("Building the console (next build)…");
  const result = spawnSync(process.execPath, [nextBin, "build"], { stdio: "inherit", env: nextEnv });
  if (result.status !== 0) fail("next build failed (see above).");
}

async function startOrReuseSandbox(e: Env): Promise<Sandbox | null> {
  if (e.basiq.mode !== "sandbox") return null;
  try {
    const res = await fetch(new URL("/__sandbox/stats", e.basiq.apiUrl), { signal: AbortSignal.timeout(1000) });
    if (res.ok) {
      console.log(`Using the Basiq sandbox already running at ${e.basiq.apiUrl}`);
      return null;
    }
  } catch {
    // nothing there: start one
  }
  const sandbox = await startSandbox({ ...sandboxOptionsFromEnv(), port: e.sandboxPort, apiKey: e.basiq.apiKey });
  console.log(`Basiq sandbox listening on ${sandbox.url}`);
  return sandbox;
}

async function checkDatabaseReachable(url: string): Promise<void> {
  const { default: postgres } = await import("postgres");
  const client = postgres(url, { max: 1, connect_timeout: 10, onnotice: () => {} });
  try {
    await client`select 1`;
  } catch (err) {
    const reason = err instanceof Error ? (err as NodeJS.ErrnoException).code ?? err.message : String(err);
    fail(`DATABASE_URL: cannot connect to PostgreSQL (${reason})`);
  } finally {
    await client.end({ timeout: 1 }).catch(() => {});
  }
}

/** Polls the health route until it answers (true), or the server has exited or 5 minutes have passed (false). */
async function whenAnswering(url: string, gone: () => boolean): Promise<boolean> {
  const deadline = Date.now() + 5 * 60_000;
  while (!gone() && Date.now() < deadline) {
    try {
      const res = await fetch(url, { signal: AbortSignal.timeout(5000) });
      if (res.ok) return true;
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
  return false;
}

async function main(): Promise<void> {
  let e: Env;
  try {
    e = loadEnv();
  } catch (err) {
    if (err instanceof ConfigError) fail(err.message);
    throw err;
  }
  if (e.databaseUrl) await checkDatabaseReachable(e.databaseUrl); // fail fast, before a build
  if (!dev) buildIfNeeded();
  const sandbox = await startOrReuseSandbox(e);
  try {
    await prepareDatabase(e, { seed: true });
  } catch (err) {
    await sandbox?.close();
    const message = err instanceof Error ? err.message : String(err);
    fail(e.databaseUrl ? `DATABASE_URL: cannot prepare the database (${message})` : `embedded database: ${message}`);
  }

  // HOSTNAME: 127.0.0.1 unless set in sandbox mode (demo accounts must not face a network); every interface in live mode.
  const bind = e.hostname ? ["--hostname", e.hostname] : [];
  const child = spawn(process.execPath, [nextBin, dev ? "dev" : "start", "--port", String(e.port), ...bind], {
    stdio: "inherit",
    env: { ...nextEnv, NEXT_MANUAL_SIG_HANDLE: "1", BASIQ_API_URL: e.basiq.apiUrl },
  });
  let exited = false;
  child.on("exit", () => (exited = true));
  const url = `http://localhost:${e.port}`;
  void whenAnswering(`${url}/api/health`, () => exited).then((ready) => {
    if (!ready) return;
    const database = e.databaseUrl ? "PostgreSQL" : "embedded PGlite";
    console.log(`\n${startupBanner({ url, mode: e.basiq.mode, database, demoPasswordSet: !!process.env.DEMO_PASSWORD, terminal: !!process.stdout.isTTY })}\n`);
  });

  let stopping = false;
  const stop = (signal: NodeJS.Signals) => {
    if (stopping) return;
    stopping = true;
    child.kill(signal);
  };
  process.on("SIGINT", () => stop("SIGINT"));
  process.on("SIGTERM", () => stop("SIGTERM"));
  child.on("exit", async (code, signal) => {
    await sandbox?.close();
    process.exit(code ?? (signal ? 0 : 1));
  });
}

main().catch((err: unknown) => fail(err instanceof Error ? err.message : String(err)));
