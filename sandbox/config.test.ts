// SANDBOX_* configuration and the `npm run sandbox` entry point.
import { spawn } from "node:child_process";
import path from "node:path";
import { fileURLToPath } from "node:url";

import { describe, expect, it } from "vitest";

import { SandboxConfigError, loadSandboxConfig, sandboxOptionsFromEnv } from "./config";
import { startSandbox } from "./server";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");

describe("loadSandboxConfig", () => {
  it("has the documented defaults", () => {
    expect(loadSandboxConfig({})).toEqual({
      port: 4010,
      apiKey: "sandbox-key",
      users: 300,
      seed: 1,
      tokenTtlSeconds: 3600,
      latencyMs: 0,
      webhookRetryScale: 1,
    });
    expect(sandboxOptionsFromEnv({})).toEqual(loadSandboxConfig({}));
  });

  it("reads every variable", () => {
    expect(
      loadSandboxConfig({
        SANDBOX_PORT: "0",
        SANDBOX_API_KEY: "k",
        SANDBOX_USERS: "100000",
        SANDBOX_SEED: "42",
        SANDBOX_TOKEN_TTL_SECONDS: "5",
        SANDBOX_LATENCY_MS: "20",
        SANDBOX_WEBHOOK_SECRET: "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw",
        SANDBOX_WEBHOOK_RETRY_SCALE: "0.001",
      }),
    ).toEqual({
      port: 0,
      apiKey: "k",
      users: 100_000,
      seed: 42,
      tokenTtlSeconds: 5,
      latencyMs: 20,
      webhookSecret: "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw",
      webhookRetryScale: 0.001,
    });
  });

  it("names the bad variable in a single line", () => {
    const cases: [Record<string, string>, string][] = [
      [{ SANDBOX_PORT: "http" }, "SANDBOX_PORT"],
      [{ SANDBOX_PORT: "70000" }, "SANDBOX_PORT"],
      [{ SANDBOX_USERS: "0" }, "SANDBOX_USERS"],
      [{ SANDBOX_USERS: "1.5" }, "SANDBOX_USERS"],
      [{ SANDBOX_SEED: "abc" }, "SANDBOX_SEED"],
      [{ SANDBOX_TOKEN_TTL_SECONDS: "0" }, "SANDBOX_TOKEN_TTL_SECONDS"],
      [{ SANDBOX_LATENCY_MS: "-5" }, "SANDBOX_LATENCY_MS"],
      [{ SANDBOX_API_KEY: "   " }, "SANDBOX_API_KEY"],
    ];
    for (const [env, variable] of cases) {
      let caught: unknown;
      try {
        loadSandboxConfig(env);
      } catch (error) {
        caught = error;
      }
      expect(caught, variable).toBeInstanceOf(SandboxConfigError);
      const message = (caught as Error).message;
      expect(message).toContain(variable);
      expect(message).not.toContain("\n");
    }
  });

  it("startSandbox rejects invalid options by name", async () => {
    await expect(startSandbox({ port: 0, users: 0 })).rejects.toThrow(/users/);
    await expect(startSandbox({ port: 0, tokenTtlSeconds: 0 })).rejects.toThrow(/tokenTtlSeconds/);
  });
});

/** `tsx sandbox/main.ts` as a child process, with its output collected. */
function startMain(env: Record<string, string>) {
  const tsx = path.join(root, "node_modules", "tsx", "dist", "cli.mjs");
  const child = spawn(process.execPath, [tsx, "sandbox/main.ts"], {
    cwd: root,
    env: { ...process.env, ...env },
  });
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
  return {
    child,
    exited,
    output: () => ({ stdout, stderr }),
    async waitFor(pattern: RegExp, timeoutMs = 20_000): Promise<RegExpExecArray> {
      const deadline = Date.now() + timeoutMs;
      while (Date.now() < deadline) {
        const match = pattern.exec(stdout);
        if (match) return match;
        if (child.exitCode !== null) break;
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      child.kill("SIGKILL");
      throw new Error(`sandbox/main.ts never printed ${pattern}; stdout: ${stdout}; stderr: ${stderr}`);
    },
  };
}

describe("npm run sandbox (sandbox/main.ts)", () => {
  it("prints where it listens and how many users, serves, and exits 0 on SIGTERM", async () => {
    const main = startMain({ SANDBOX_PORT: "0", SANDBOX_USERS: "25" });
    const [, url] = await main.waitFor(
      /^Basiq sandbox listening on (http:\/\/127\.0\.0\.1:\d+) \(25 users\)$/m,
    );
    const users = await fetch(`${url ?? ""}/__sandbox/users?limit=1`);
    expect(await users.json()).toMatchObject({ total: 25 });
    main.child.kill("SIGTERM");
    expect(await main.exited).toBe(0);
  });

  it("exits 1 with one line naming a bad variable", async () => {
    const main = startMain({ SANDBOX_USERS: "lots" });
    expect(await main.exited).toBe(1);
    const lines = main
      .output()
      .stderr.split("\n")
      .filter((line) => line.trim() !== "" && !line.startsWith("npm warn"));
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/SANDBOX_USERS/);
  });
});
