// The Basiq sandbox in a process of its own, for benchmarks that time the console's event loop: Basiq is another
// machine, so its answers must not be computed on the loop being measured. `npm run sandbox` (sandbox/main.ts)
// started as a child; its control routes (/__sandbox/stats, /metrics) are HTTP, so the bench reads them the same.
import { spawn } from "node:child_process";
import { createServer } from "node:net";
import path from "node:path";

import type { Sandbox } from "../sandbox/server";

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

export async function startSandboxProcess(options: { users: number; latencyMs: number }): Promise<Sandbox> {
  const port = await freePort();
  const child = spawn(path.resolve("node_modules/.bin/tsx"), ["sandbox/main.ts"], {
    env: {
      ...process.env,
      SANDBOX_PORT: String(port),
      SANDBOX_USERS: String(options.users),
      SANDBOX_LATENCY_MS: String(options.latencyMs),
    },
    stdio: ["ignore", "pipe", "inherit"],
  });
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error("the sandbox process did not start within 60 s")), 60_000);
    child.once("exit", (code) => reject(new Error(`the sandbox process exited (${code ?? "signal"})`)));
    child.stdout!.on("data", (chunk: Buffer) => {
      if (chunk.toString().includes("listening on")) {
        clearTimeout(timer);
        resolve();
      }
    });
  });
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    close: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once("exit", () => resolve());
        child.kill("SIGTERM");
      }),
  };
}
