// Issue 18 item 5: the client knows when Basiq does not answer at all, so every page can say so at the top and
// actions that need Basiq are off. An answer (even a 4xx or a 429) is "reachable"; 5xx, timeouts and network
// errors are not; three failed attempts in a row with no answer since is an outage.
import { describe, expect, it, vi } from "vitest";

import { basiqOutageFrom, outageAndRecoveryCheck } from "@/lib/dal/basiq-problem";

import { RouteMetricsRecorder } from "./metrics";
import { createReachabilityProbe } from "./reachability";
import { basiqError, json, testClient, wire } from "./testing";

function networkFailure(): never {
  throw new TypeError("fetch failed", { cause: Object.assign(new Error("connect ECONNREFUSED"), { code: "ECONNREFUSED" }) });
}

describe("reachability", () => {
  it("counts failures in a row from the first one, and any answer ends the run", () => {
    const r = new RouteMetricsRecorder();
    r.recordReachability(true, Date.parse("2026-12-01T00:00:00Z"));
    r.recordReachability(false, Date.parse("2026-12-01T00:01:00Z"));
    r.recordReachability(false, Date.parse("2026-12-01T00:02:00Z"));
    expect(basiqOutageFrom(r.reachability())).toBeNull(); // two failures: a blip, retried
    r.recordReachability(false, Date.parse("2026-12-01T00:03:00Z"));
    expect(basiqOutageFrom(r.reachability())).toMatchObject({ since: "2026-12-01T00:01:00.000Z" });
    // An answer on another route within the last 10 s: one failing route, not an outage.
    expect(basiqOutageFrom(r.reachability(), Date.parse("2026-12-01T00:00:05Z"))).toBeNull();
    r.recordReachability(true, Date.parse("2026-12-01T00:04:00Z"));
    expect(basiqOutageFrom(r.reachability())).toBeNull();
    expect(r.reachability()).toMatchObject({ consecutiveFailures: 0, lastAnswerAt: "2026-12-01T00:04:00.000Z" });
  });

  it("the client records network errors and 5xx as unreachable, a 404 as an answer", async () => {
    const { client, fake } = testClient({ retries: 2 });
    fake.onRequest = () => networkFailure();
    await client.getUser("u-1").catch(() => {});
    const afterQuiet = Date.now() + 10_000; // the token request answered just before
    expect(basiqOutageFrom(client.metrics().reachability, afterQuiet)).not.toBeNull();

    fake.onRequest = () => basiqError(404, "resource-not-found");
    await client.getUser("u-2").catch(() => {});
    expect(client.metrics().reachability.consecutiveFailures).toBe(0);

    fake.onRequest = () => basiqError(503, "service-unavailable");
    await client.getUser("u-3").catch(() => {});
    expect(client.metrics().reachability.consecutiveFailures).toBe(3);

    fake.onRequest = () => json(200, wire.user());
    await client.getUser("u-4");
    expect(basiqOutageFrom(client.metrics().reachability, afterQuiet)).toBeNull();
  });

  it("while the banner shows, it asks Basiq in the background, so the next page sees the recovery without calling Basiq itself", async () => {
    const { client, fake } = testClient({ retries: 2 });
    fake.onRequest = () => networkFailure();
    await client.getUser("u-1").catch(() => {});
    const afterQuiet = Date.now() + 10_000;
    const probe = createReachabilityProbe(() => client);
    const before = fake.requests.length;

    fake.onRequest = () => json(200, { type: "list", data: [] });
    expect(outageAndRecoveryCheck(client, probe, afterQuiet)).not.toBeNull(); // this render still shows the banner
    // Nobody else calls Basiq: only the probe that render started can end the outage.
    await vi.waitFor(() => expect(basiqOutageFrom(client.metrics().reachability, afterQuiet)).toBeNull());
    expect(fake.requests.slice(before).map((r) => r.key)).toEqual(["GET /events/types"]);
    expect(outageAndRecoveryCheck(client, probe, afterQuiet)).toBeNull(); // the next render: no banner
    expect(fake.requests.length - before, "no probe once there is no outage").toBe(1);
  });
});
