import { execFileSync } from "node:child_process";

import { describe, expect, it } from "vitest";

import { startDeadline } from "./deadline";

const retention = (kind: string) =>
  execFileSync(process.execPath, ["--expose-gc", "--import", "tsx", "test/fixtures/request-retention.ts", kind], { encoding: "utf8" }).trim();

describe("startDeadline", () => {
  it("aborts with a TimeoutError after its time, and not at all once released", async () => {
    const fires = startDeadline(20);
    const released = startDeadline(20);
    released.release();
    await new Promise((r) => setTimeout(r, 60));
    expect(fires.signal.aborted).toBe(true);
    expect((fires.signal.reason as DOMException).name).toBe("TimeoutError");
    expect(released.signal.aborted).toBe(false);
  });

  it("lets a finished request that holds its deadline be garbage collected (AbortSignal.timeout kept it for good)", () => {
    expect(retention("deadline")).toBe("collected");
    // What it replaces, on this Node: the request is still in memory after five full collections.
    expect(retention("abort-signal-timeout"), "AbortSignal.timeout no longer retains its context on this Node: lib/deadline.ts may go").toBe("retained");
  }, 30_000);
});
