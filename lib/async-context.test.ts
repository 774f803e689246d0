import { AsyncLocalStorage } from "node:async_hooks";
import { execFileSync } from "node:child_process";

import { describe, expect, it } from "vitest";

import { captureRootContext, outsideRequest } from "./async-context";

const retention = (kind: string) =>
  execFileSync(process.execPath, ["--expose-gc", "--import", "tsx", "test/fixtures/request-retention.ts", kind], { encoding: "utf8" }).trim();

describe("outsideRequest", () => {
  it("runs its function without the request's stores, and hands the result back to the request", async () => {
    const requests = new AsyncLocalStorage<string>();
    captureRootContext();
    const seen = await requests.run("request 1", async () => {
      const inside = requests.getStore();
      const outside = await outsideRequest(async () => {
        await new Promise((r) => setTimeout(r, 1));
        return requests.getStore();
      });
      return { inside, outside, after: requests.getStore() };
    });
    expect(seen).toEqual({ inside: "request 1", outside: undefined, after: "request 1" });
  });

  it("a process-wide memo started outside the request lets the request be garbage collected; started inside, it holds it", () => {
    expect(retention("memo-outside")).toBe("collected");
    expect(retention("memo-inside")).toBe("retained");
  }, 30_000);
});
