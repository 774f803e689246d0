// The server under test: builds the console with a sentinel BASIQ_API_KEY in the build environment (so the e2e
// suite can prove no secret reaches a browser bundle), then starts it exactly as `npm start` does, on its own
// ports, with a fresh embedded database or, when DATABASE_URL is set (CI), a fresh PostgreSQL database.
import { spawn, spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { createWriteStream, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";

import postgres from "postgres";

import { dataDirFile, databaseUrlFile, e2eStateDir, otlpEndpointFile, sentinelFile, serverLogFile } from "./paths";
import { startSsoConsole } from "./sso-server";

async function freshDatabaseUrl(serverUrl: string): Promise<string> {
  const name = `e2e_${Date.now()}_${randomBytes(3).toString("hex")}`;
  const admin = postgres(serverUrl, { max: 1, onnotice: () => {} });
  await admin.unsafe(`create database "${name}"`);
  await admin.end();
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  return url.toString();
}

/**
 * A local OTLP/HTTP (JSON, as @vercel/otel's exporter sends) trace receiver in this process (no extra server
 * process): the console under test exports its spans to it, and e2e/observability.spec.ts reads them from
 * GET /spans. Keeps the latest 50,000 spans.
 */
async function startOtlpReceiver(): Promise<string> {
  const spans: unknown[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      if (req.method === "GET" && req.url === "/spans") {
        res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify(spans));
        return;
      }
      if (req.method === "POST" && req.url === "/v1/traces" && req.headers["content-type"]?.includes("json")) {
        try {
          const body = JSON.parse(Buffer.concat(chunks).toString("utf8")) as { resourceSpans?: { scopeSpans?: { spans?: unknown[] }[] }[] };
          for (const rs of body.resourceSpans ?? []) for (const ss of rs.scopeSpans ?? []) spans.push(...(ss.spans ?? []));
          if (spans.length > 50_000) spans.splice(0, spans.length - 50_000);
        } catch {
          res.writeHead(400).end();
          return;
        }
      }
      res.writeHead(200, { "content-type": "application/json" }).end("{}");
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  server.unref();
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

async function main(): Promise<void> {
  const root = process.cwd();
  mkdirSync(e2eStateDir, { recursive: true });

  if (!process.env.E2E_SKIP_BUILD) {
    const sentinel = `sentinel-${randomBytes(12).toString("hex")}`;
    writeFileSync(sentinelFile, sentinel);
    const build = spawnSync(process.execPath, [path.join(root, "node_modules/next/dist/bin/next"), "build"], {
      stdio: ["ignore", "inherit", "inherit"],
      env: { ...process.env, BASIQ_API_KEY: sentinel, NEXT_TELEMETRY_DISABLED: "1" },
    });
    if (build.status !== 0) process.exit(build.status ?? 1);
  }

  const env: NodeJS.ProcessEnv = {
    ...process.env,
    PORT: process.env.E2E_PORT ?? "3100",
    SANDBOX_PORT: process.env.E2E_SANDBOX_PORT ?? "4110",
    DATA_DIR: mkdtempSync(path.join(tmpdir(), "basiq-console-e2e-")),
    NEXT_TELEMETRY_DISABLED: "1",
    LOG_LEVEL: process.env.LOG_LEVEL ?? "info", // every info line is kept in serverLogFile and scanned for secrets
    SWEEP_INTERVAL_MINUTES: "0", // sweeps are started by the tests that need one
    CONNECTOR_CACHE_SECONDS: "0", // every connectors read asks the sandbox, so injected changes show at once
    // A small timeout budget, so a hung or slow Basiq resolves in seconds in e2e/resilience.spec.ts.
    BASIQ_TIMEOUT_MS: process.env.BASIQ_TIMEOUT_MS ?? "2000",
    // /api/metrics answers only this bearer token (the matrix checks that no session gets in).
    METRICS_TOKEN: process.env.METRICS_TOKEN ?? "e2e-metrics-token-0123456789",
    BASIQ_MAX_RETRY_WAIT_MS: process.env.BASIQ_MAX_RETRY_WAIT_MS ?? "3000",
    // As behind a reverse proxy on this host: e2e/instances.spec.ts sends X-Forwarded-For through "it" to sign in
    // from addresses of its own, so its bursts never lock out 127.0.0.1, which every other spec signs in from.
    TRUSTED_PROXIES: "loopback",
  };
  writeFileSync(dataDirFile, env.DATA_DIR ?? "");
  delete env.BASIQ_API_KEY;
  delete env.BASIQ_API_URL;
  rmSync(databaseUrlFile, { force: true });
  if (process.env.DATABASE_URL) {
    env.DATABASE_URL = await freshDatabaseUrl(process.env.DATABASE_URL);
    writeFileSync(databaseUrlFile, env.DATABASE_URL); // e2e/instances.spec.ts starts a second console on it
  }

  // Traces of the console under test (not of the SSO console) go to the local receiver, flushed every 500 ms.
  const otlpEndpoint = await startOtlpReceiver();
  writeFileSync(otlpEndpointFile, otlpEndpoint);
  const child = spawn(
    path.join(root, "node_modules/.bin/tsx"),
    ["--conditions=react-server", "scripts/start.ts"],
    { stdio: ["ignore", "pipe", "pipe"], env: { ...env, E2E_SKIP_BUILD: "1", OTEL_EXPORTER_OTLP_ENDPOINT: otlpEndpoint, OTEL_BSP_SCHEDULE_DELAY: "500" } },
  );
  // Keep a copy of every line the console logs: e2e/leaks.spec.ts scans it for tokens, keys and e-mails.
  const logFile = createWriteStream(serverLogFile);
  child.stdout.on("data", (chunk: Buffer) => {
    logFile.write(chunk);
    process.stdout.write(chunk);
  });
  child.stderr.on("data", (chunk: Buffer) => {
    logFile.write(chunk);
    process.stderr.write(chunk);
  });
  // The single sign-on console (e2e/sso.spec.ts): the same build, a second server with a local OpenID provider.
  const sso = await startSsoConsole(root, env, process.env.DATABASE_URL ? await freshDatabaseUrl(process.env.DATABASE_URL) : undefined);
  // start.ts would rebuild if sources look newer than the build; the build above is fresh, so it won't.
  for (const signal of ["SIGINT", "SIGTERM"] as const)
    process.on(signal, () => {
      sso.kill(signal);
      child.kill(signal);
    });
  child.on("exit", (code) => process.exit(code ?? 0));
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
