import { describe, expect, it, vi } from "vitest";

import { giveWayToInteractive, Limiter } from "./limiter";

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

describe("giveWayToInteractive", () => {
  const flush = () => new Promise((r) => setImmediate(r));

  it("a lowered capacity holds new tasks back without interrupting running ones; raising it starts them", async () => {
    const limiter = new Limiter(4);
    const gates = Array.from({ length: 6 }, deferred);
    const tasks = gates.map((g) => limiter.run(() => g.promise));
    expect(limiter.inFlight).toBe(4);
    limiter.setCapacity(2);
    expect(limiter.capacity).toBe(2);
    gates[0]!.resolve();
    gates[1]!.resolve();
    await flush();
    // Two finished; the two still running fill the lowered capacity, so nothing new starts.
    expect(limiter.inFlight).toBe(2);
    expect(limiter.queued).toBe(2);
    limiter.setCapacity(10); // clamped to max
    expect(limiter.capacity).toBe(4);
    expect(limiter.inFlight).toBe(4);
    expect(limiter.queued).toBe(0);
    for (const g of gates) g.resolve();
    await Promise.all(tasks);
  });

  it("the background lane keeps a quarter of its slots while interactive calls run, and all of them a moment after", async () => {
    vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout"] });
    try {
      const interactive = new Limiter(32, 25);
      const background = new Limiter(8);
      giveWayToInteractive(interactive, background, { holdMs: 1_000 });
      const sweep = Array.from({ length: 12 }, deferred);
      const sweeping = sweep.map((g) => background.run(() => g.promise));
      expect(background.inFlight).toBe(8); // nobody on the pages: the whole lane

      const page = deferred();
      const pageCall = interactive.run(() => page.promise);
      expect(background.capacity).toBe(2);
      for (const g of sweep.slice(0, 7)) g.resolve();
      await flush();
      // Seven sweep calls ended while a page waits for Basiq: only enough start again to keep 2 in flight.
      expect(background.inFlight).toBe(2);
      expect(background.queued).toBe(3);

      page.resolve();
      await pageCall;
      await flush();
      vi.advanceTimersByTime(999);
      expect(background.capacity).toBe(2); // the page is rendering; the next one may follow

      // A second page within the hold: the hold starts again from its end.
      const second = interactive.run(async () => {});
      await second;
      vi.advanceTimersByTime(999);
      expect(background.capacity).toBe(2);
      vi.advanceTimersByTime(1);
      expect(background.capacity).toBe(8);
      expect(background.inFlight).toBe(5); // the 3 queued started at once
      expect(background.queued).toBe(0);
      for (const g of sweep) g.resolve();
      await Promise.all(sweeping);
    } finally {
      vi.useRealTimers();
    }
  });

  it("a background lane of one slot keeps it (never starved)", async () => {
    const interactive = new Limiter(4);
    const background = new Limiter(1);
    giveWayToInteractive(interactive, background);
    const page = deferred();
    const pageCall = interactive.run(() => page.promise);
    await expect(background.run(async () => "swept")).resolves.toBe("swept");
    page.resolve();
    await pageCall;
  });
});
