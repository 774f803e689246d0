import { spawn } from "node:child_process";
import { EventEmitter } from "node:events";

import { describe, expect, it } from "vitest";

import { onShutdownSignal } from "./shutdown-signals";

describe("onShutdownSignal", () => {
  it("shuts down once, on the first signal, and keeps handling the ones after it", () => {
    const target = new EventEmitter();
    const calls: string[] = [];
    onShutdownSignal((s) => calls.push(s), target);
    target.emit("SIGTERM", "SIGTERM");
    target.emit("SIGINT", "SIGINT");
    target.emit("SIGINT", "SIGINT");
    expect(calls).toEqual(["SIGTERM"]);
    // Still listening: without a listener Node's default action for SIGINT/SIGTERM would kill the process.
    expect(target.listenerCount("SIGINT")).toBe(1);
    expect(target.listenerCount("SIGTERM")).toBe(1);
  });

  it("a real process sent SIGINT three times in a row (Ctrl-C through npm, tsx and the launcher) finishes its shutdown", async () => {
    // tsx as a loader in this one process (its CLI would add a parent process that handles signals itself).
    const child = spawn(process.execPath, ["--import", "tsx", "test/fixtures/slow-shutdown.ts"], { stdio: ["ignore", "pipe", "pipe"] });
    let out = "";
    child.stdout.on("data", (d: Buffer) => (out += d.toString()));
    await new Promise<void>((resolve, reject) => {
      const t = setTimeout(() => reject(new Error(`not ready: ${out}`)), 20_000);
      child.stdout.on("data", () => out.includes("ready") && (clearTimeout(t), resolve()));
    });
    const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((r) => child.on("exit", (code, signal) => r({ code, signal })));
    for (let i = 0; i < 3; i++) {
      child.kill("SIGINT");
      await new Promise((r) => setTimeout(r, 30));
    }
    expect(await exited).toEqual({ code: 0, signal: null });
    expect(out).toContain("stopping on SIGINT");
    expect(out).toContain("closed cleanly");
    expect(out.match(/stopping on/g)).toHaveLength(1);
  }, 30_000);
});
