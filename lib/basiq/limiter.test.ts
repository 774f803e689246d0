import { describe, expect, it } from "vitest";

import { Limiter } from "./limiter";

function deferred() {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => (resolve = r));
  return { promise, resolve };
}

describe("Limiter", () => {
  it("never runs more than max tasks at once", async () => {
    const limiter = new Limiter(3);
    let running = 0;
    let peak = 0;
    await Promise.all(
      Array.from({ length: 20 }, () =>
        limiter.run(async () => {
          running++;
          peak = Math.max(peak, running);
          await new Promise((r) => setTimeout(r, 2));
          running--;
        }),
      ),
    );
    expect(peak).toBe(3);
    expect(limiter.inFlight).toBe(0);
    expect(limiter.queued).toBe(0);
  });

  it("starts queued tasks in arrival order, priority tasks first", async () => {
    const limiter = new Limiter(1);
    const gate = deferred();
    const order: string[] = [];
    const first = limiter.run(() => gate.promise);
    const tasks = ["a", "b", "c"].map((name) => limiter.run(async () => void order.push(name)));
    const urgent = limiter.run(async () => void order.push("token"), { priority: true });
    expect(limiter.queued).toBe(4);
    gate.resolve();
    await Promise.all([first, ...tasks, urgent]);
    expect(order).toEqual(["token", "a", "b", "c"]);
  });

  it("releases the slot when a task throws", async () => {
    const limiter = new Limiter(1);
    await expect(limiter.run(async () => Promise.reject(new Error("boom")))).rejects.toThrow("boom");
    await expect(limiter.run(async () => "ok")).resolves.toBe("ok");
  });

  it("drops a queued task whose signal aborts, without running it", async () => {
    const limiter = new Limiter(1);
    const gate = deferred();
    const first = limiter.run(() => gate.promise);
    const controller = new AbortController();
    let ran = false;
    const queued = limiter.run(async () => void (ran = true), { signal: controller.signal });
    controller.abort();
    await expect(queued).rejects.toThrow(/abort/i);
    expect(limiter.queued).toBe(0);
    gate.resolve();
    await first;
    expect(ran).toBe(false);
  });
});

describe("Limiter bulkheads", () => {
  it("caps each key at keyMax and starts other keys' waiters past a saturated key", async () => {
    const limiter = new Limiter(4, 2);
    const hung = deferred();
    const started: string[] = [];
    const slow = ["s1", "s2", "s3"].map((name) =>
      limiter.run(
        async () => {
          started.push(name);
          await hung.promise;
        },
        { key: "slow" },
      ),
    );
    const fast = limiter.run(async () => void started.push("f1"), { key: "fast" });
    await fast;
    expect(started).toEqual(["s1", "s2", "f1"]);
    expect(limiter.queued).toBe(1);
    expect(limiter.inFlightByKey()).toEqual({ slow: 2 });
    hung.resolve();
    await Promise.all(slow);
    expect(started).toEqual(["s1", "s2", "f1", "s3"]);
  });

  it("integrates in-flight tasks over time (busyMs)", () => {
    let t = 0;
    const limiter = new Limiter(2, 2, () => t);
    const a = deferred();
    void limiter.run(() => a.promise);
    void limiter.run(() => a.promise);
    t = 100;
    expect(limiter.busyMs).toBe(200);
    a.resolve();
  });
});
