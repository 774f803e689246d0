import { describe, expect, it } from "vitest";

import {
  BasiqApiError,
  BasiqError,
  BasiqInputError,
  BasiqNetworkError,
  BasiqOutcomeUnknownError,
  BasiqSchemaError,
  BasiqTimeoutError,
} from "./errors";
import {
  basiqError,
  fakeBasiq,
  hang,
  json,
  type RecordedRequest,
  TEST_API_KEY,
  testClient,
  wire,
} from "./testing";

const MIN = 60_000;

function networkFailure(): never {
  throw new TypeError("fetch failed", {
    cause: Object.assign(new Error("connect ECONNREFUSED"), { code: "ECONNREFUSED" }),
  });
}

async function caught(promise: Promise<unknown>): Promise<BasiqError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof BasiqError) return error;
    throw error;
  }
  throw new Error("expected the call to fail");
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe("token requests", () => {
  it("POSTs /token with the key as issued, basiq-version 3.0 and scope=SERVER_ACCESS; Bearer elsewhere", async () => {
    const { client, fake } = testClient();
    fake.onRequest = () => json(200, wire.user());
    await client.getUser("u-1");

    const [token, call] = fake.requests;
    expect(token!.key).toBe("POST /token");
    expect(token!.url.href).toBe("https://basiq.test/token");
    expect(token!.headers.get("authorization")).toBe(`Basic ${TEST_API_KEY}`); // not base64-encoded again
    expect(token!.headers.get("basiq-version")).toBe("3.0");
    expect(token!.headers.get("content-type")).toBe("application/x-www-form-urlencoded");
    expect(token!.headers.get("accept")).toBe("application/json");
    expect(token!.body).toBe("scope=SERVER_ACCESS");

    expect(call!.key).toBe("GET /users/u-1");
    expect(call!.headers.get("authorization")).toBe("Bearer token-1");
    expect(call!.headers.get("accept")).toBe("application/json");
  });

  it("200 concurrent calls at cold start make exactly one token request", async () => {
    const { client, fake } = testClient();
    fake.onRequest = () => json(200, wire.user());
    await Promise.all(Array.from({ length: 200 }, () => client.getUser("u-1")));
    expect(fake.tokenRequests()).toHaveLength(1);
    expect(client.metrics().callersServedPerTokenRequest).toBe(200);
  });

  it("does not cache a failed token request: the next call asks again", async () => {
    const { client, fake } = testClient({ retries: 0 });
    const issue = fake.onToken;
    fake.onToken = () => basiqError(500, "internal-server-error");
    fake.onRequest = () => json(200, wire.user());
    const error = await caught(client.getUser("u-1"));
    expect(error).toBeInstanceOf(BasiqApiError);
    expect(error).toMatchObject({ status: 500, route: "POST /token" });

    fake.onToken = issue;
    await expect(client.getUser("u-1")).resolves.toMatchObject({ id: "u-1" });
    expect(fake.tokenRequests()).toHaveLength(2);
  });

  it("an idempotent call rides out a transient token failure with its retries", async () => {
    const { client, fake } = testClient();
    const issue = fake.onToken;
    let failures = 1;
    fake.onToken = (r) => (failures-- > 0 ? basiqError(503, "service-unavailable") : issue(r));
    fake.onRequest = () => json(200, wire.user());
    const users = await Promise.all(Array.from({ length: 20 }, () => client.getUser("u-1")));
    expect(users).toHaveLength(20);
    expect(fake.tokenRequests()).toHaveLength(2); // the failed one, then one shared retry
  });

  it("refreshes in the background at 30 minutes without making callers wait", async () => {
    const { client, fake, clock } = testClient();
    fake.onRequest = (r) => json(200, wire.user(r.url.pathname.split("/")[2]));
    await client.getUser("u-1");
    clock.advance(30 * MIN);
    let release!: () => void;
    const issue = fake.onToken;
    fake.onToken = async (r) => {
      await new Promise<void>((resolve) => (release = resolve));
      return issue(r);
    };
    await Promise.all(Array.from({ length: 10 }, () => client.getUser("u-1"))); // served with the old token
    expect(fake.apiRequests().map((r) => r.headers.get("authorization"))).toEqual(
      Array.from({ length: 11 }, () => "Bearer token-1"),
    );
    expect(fake.tokenRequests()).toHaveLength(2);
    release();
    await sleep(0);
    await client.getUser("u-1");
    expect(fake.apiRequests().at(-1)!.headers.get("authorization")).toBe("Bearer token-2");
    expect(fake.tokenRequests()).toHaveLength(2);
  });

  it("honours expires_in: a 120 s token is replaced before it expires", async () => {
    const { client, fake, clock } = testClient({ fake: fakeBasiq({ tokenTtlSeconds: 120 }) });
    fake.onRequest = () => json(200, wire.user());
    await client.getUser("u-1");
    clock.advance(100_000); // within the last quarter of its life: blocking refresh
    await client.getUser("u-1");
    expect(fake.tokenRequests()).toHaveLength(2);
    expect(fake.apiRequests().at(-1)!.headers.get("authorization")).toBe("Bearer token-2");
  });
});

describe("401 handling", () => {
  it("forces one token refresh and retries once", async () => {
    const { client, fake } = testClient();
    fake.onRequest = (r) =>
      r.headers.get("authorization") === "Bearer token-1"
        ? basiqError(401, "invalid-authorization-token")
        : json(200, wire.user());
    await expect(client.getUser("u-1")).resolves.toMatchObject({ id: "u-1" });
    expect(fake.tokenRequests()).toHaveLength(2);
    expect(fake.apiRequests()).toHaveLength(2);
    expect(client.metrics().unauthorizedRetries).toBe(1);
  });

  it("never loops: a second 401 is returned to the caller", async () => {
    const { client, fake } = testClient();
    fake.onRequest = () => basiqError(401, "unauthorized-access");
    const error = await caught(client.getUser("u-1"));
    expect(error).toBeInstanceOf(BasiqApiError);
    expect(error.status).toBe(401);
    expect(fake.apiRequests()).toHaveLength(2);
    expect(fake.tokenRequests()).toHaveLength(2);
  });

  it("50 callers getting 401 with the same stale token cause one new token request", async () => {
    const { client, fake } = testClient();
    fake.onRequest = async (r) => {
      await sleep(1);
      return r.headers.get("authorization") === "Bearer token-1"
        ? basiqError(401, "invalid-authorization-token")
        : json(200, wire.user());
    };
    await Promise.all(Array.from({ length: 50 }, () => client.getUser("u-1")));
    expect(fake.tokenRequests()).toHaveLength(2);
    expect(fake.apiRequests()).toHaveLength(100);
  });

  it("a purge refused with 401 is retried once after a refresh (nothing happened the first time)", async () => {
    const { client, fake } = testClient();
    fake.onRequest = (r) =>
      r.headers.get("authorization") === "Bearer token-1"
        ? basiqError(401, "invalid-authorization-token")
        : json(204, null);
    await expect(client.purgeConnection("u-1", "c-1")).resolves.toBeUndefined();
    expect(fake.apiRequests().map((r) => r.key)).toEqual([
      "POST /users/u-1/connections/c-1/purge",
      "POST /users/u-1/connections/c-1/purge",
    ]);
  });
});

describe("retries of idempotent calls", () => {
  it("retries 5xx with full-jitter backoff and succeeds", async () => {
    const { client, fake, clock } = testClient({ random: () => 0.999999 });
    let failures = 2;
    fake.onRequest = () => (failures-- > 0 ? basiqError(503, "service-unavailable") : json(200, wire.user()));
    await expect(client.getUser("u-1")).resolves.toMatchObject({ id: "u-1" });
    expect(clock.sleeps).toEqual([499, 999]); // 0.5 s × 2^n, jittered below the ceiling
  });

  it("gives up after 2 retries and logs the failure once", async () => {
    const { client, fake, logs } = testClient();
    fake.onRequest = () => basiqError(500, "internal-server-error", "corr-500");
    const error = await caught(client.getUser("u-1"));
    expect(error).toMatchObject({ status: 500, code: "internal-server-error", correlationId: "corr-500" });
    expect(fake.apiRequests()).toHaveLength(3);
    const failures = logs.lines().filter((l) => (l.level as number) >= 40);
    expect(failures).toHaveLength(1);
    expect(failures[0]).toMatchObject({ level: 50, attempt: 3, route: "GET /users/{userId}" });
  });

  it("caps the backoff at 8 s", async () => {
    const { client, fake, clock } = testClient({ retries: 6, random: () => 0.999999 });
    fake.onRequest = () => basiqError(502, "bad-gateway");
    await caught(client.getUser("u-1"));
    expect(clock.sleeps).toEqual([499, 999, 1999, 3999, 7999, 7999]);
  });

  it("retries network errors and timeouts", async () => {
    const { client, fake } = testClient({ timeoutMs: 20 });
    let n = 0;
    fake.onRequest = (r) => {
      n++;
      if (n === 1) networkFailure();
      if (n === 2) return hang(r);
      return json(200, wire.user());
    };
    await expect(client.getUser("u-1")).resolves.toMatchObject({ id: "u-1" });
    expect(fake.apiRequests()).toHaveLength(3);
  });

  it("cuts a hung request off at the timeout with BasiqTimeoutError", async () => {
    const { client, fake } = testClient({ timeoutMs: 30, retries: 0 });
    fake.onRequest = hang;
    const started = performance.now();
    const error = await caught(client.getUser("u-1"));
    expect(error).toBeInstanceOf(BasiqTimeoutError);
    expect(performance.now() - started).toBeLessThan(1_000);
  });

  it("times out even if the fetch ignores its abort signal", async () => {
    const { client, fake } = testClient({ timeoutMs: 30, retries: 0 });
    fake.onRequest = () => new Promise<Response>(() => {});
    expect(await caught(client.getUser("u-1"))).toBeInstanceOf(BasiqTimeoutError);
  });

  it("honours Retry-After in seconds on a 429", async () => {
    const { client, fake, clock } = testClient();
    let limited = 1;
    fake.onRequest = () =>
      limited-- > 0
        ? basiqError(429, "too-many-requests", "c", { "retry-after": "1" })
        : json(200, wire.user());
    await client.getUser("u-1");
    expect(clock.sleeps).toEqual([1_000]);
    expect(client.metrics().byRoute["GET /users/{userId}"]).toMatchObject({
      calls: 2,
      status429: 1,
      lastRetryAfterSeconds: 1,
    });
  });

  it("honours Retry-After as an HTTP date", async () => {
    const { client, fake, clock } = testClient();
    let limited = 1;
    fake.onRequest = () =>
      limited-- > 0
        ? basiqError(503, "service-unavailable", "c", {
            "retry-after": new Date(clock.now() + 7_000).toUTCString(),
          })
        : json(200, wire.user());
    await client.getUser("u-1");
    expect(clock.sleeps).toEqual([7_000]);
  });

  it("gives up at once when Retry-After exceeds 60 s, reporting it", async () => {
    const { client, fake, clock } = testClient();
    fake.onRequest = () => basiqError(429, "too-many-requests", "c", { "retry-after": "120" });
    const error = await caught(client.getUser("u-1"));
    expect(error).toMatchObject({ status: 429, retryAfterSeconds: 120 });
    expect(fake.apiRequests()).toHaveLength(1);
    expect(clock.sleeps).toEqual([]);
  });

  it.each([
    [400, "parameter-not-valid"],
    [403, "forbidden-access"],
    [404, "resource-not-found"],
    [410, "resource-no-longer-available"],
  ])("never retries %i", async (status, code) => {
    const { client, fake } = testClient();
    fake.onRequest = () => basiqError(status, code);
    const error = await caught(client.getUser("u-1"));
    expect(error).toBeInstanceOf(BasiqApiError);
    expect(error).toMatchObject({ status, code, title: "Title", detail: "Detail", correlationId: "corr-1" });
    expect(fake.apiRequests()).toHaveLength(1);
  });
});

describe("non-idempotent calls", () => {
  const destructive = [
    ["purgeConnection", "POST /users/u-1/connections/c-1/purge"],
    ["refreshConnection", "POST /users/u-1/connections/c-1/refresh"],
    ["deleteConnection", "DELETE /users/u-1/connections/c-1"],
  ] as const;

  it.each(destructive)("%s: a network error is 'outcome unknown', never retried", async (method, key) => {
    const { client, fake } = testClient();
    fake.onRequest = networkFailure;
    const error = await caught(client[method]("u-1", "c-1"));
    expect(error).toBeInstanceOf(BasiqOutcomeUnknownError);
    expect(error.message).toMatch(/outcome unknown — check before retrying/);
    expect(fake.apiRequests().map((r) => r.key)).toEqual([key]);
  });

  it.each(destructive)("%s: a timeout is 'outcome unknown', never retried", async (method) => {
    const { client, fake } = testClient({ timeoutMs: 20 });
    fake.onRequest = hang;
    const error = await caught(client[method]("u-1", "c-1"));
    expect(error).toBeInstanceOf(BasiqOutcomeUnknownError);
    expect(error.code).toBe("timeout");
    expect(fake.apiRequests()).toHaveLength(1);
  });

  it("refresh: a 2xx with an unreadable body is 'outcome unknown' (the job may have started), never retried", async () => {
    const { client, fake } = testClient();
    fake.onRequest = () => json(202, { type: 42, data: "not a job" });
    const error = await caught(client.refreshConnection("u-1", "c-1"));
    expect(error).toBeInstanceOf(BasiqOutcomeUnknownError);
    expect(error).toMatchObject({ code: "unreadable-response", status: 202 });
    expect(fake.apiRequests()).toHaveLength(1);
  });

  it("purge: a 503 is returned, not retried", async () => {
    const { client, fake, clock } = testClient();
    fake.onRequest = () => basiqError(503, "service-unavailable", "c", { "retry-after": "1" });
    const error = await caught(client.purgeConnection("u-1", "c-1"));
    expect(error).toMatchObject({ status: 503, retryAfterSeconds: 1 });
    expect(fake.apiRequests()).toHaveLength(1);
    expect(clock.sleeps).toEqual([]);
  });

  it("purge: a token failure is a plain error (the purge was never sent)", async () => {
    const { client, fake } = testClient();
    fake.onToken = networkFailure;
    const error = await caught(client.purgeConnection("u-1", "c-1"));
    expect(error).toBeInstanceOf(BasiqNetworkError);
    expect(error.route).toBe("POST /token");
    expect(fake.apiRequests()).toHaveLength(0);
  });

  it("purge: 204 resolves to undefined", async () => {
    const { client, fake } = testClient();
    fake.onRequest = () => new Response(null, { status: 204 });
    await expect(client.purgeConnection("u-1", "c-1")).resolves.toBeUndefined();
  });

  it("refresh returns the job id and link from the 202", async () => {
    const { client, fake } = testClient();
    fake.onRequest = () =>
      json(202, { type: "job", id: "job-42", links: { self: "https://basiq.test/jobs/job-42" } });
    await expect(client.refreshConnection("u-1", "c-1")).resolves.toEqual({
      jobId: "job-42",
      jobLink: "https://basiq.test/jobs/job-42",
      alreadyRunning: false,
    });
  });

  it("refresh: a 200 is Basiq returning the job already queued or running", async () => {
    const { client, fake } = testClient();
    fake.onRequest = () =>
      json(200, { type: "job", id: "job-41", links: { self: "https://basiq.test/jobs/job-41" } });
    await expect(client.refreshConnection("u-1", "c-1")).resolves.toEqual({
      jobId: "job-41",
      jobLink: "https://basiq.test/jobs/job-41",
      alreadyRunning: true,
    });
  });
});

describe("responses and errors", () => {
  it("a schema mismatch is a BasiqSchemaError with status, path and correlationId, not a crash", async () => {
    const { client, fake } = testClient();
    // One odd item is left out (schemas.test.ts); a list that is not a list breaks the contract.
    fake.onRequest = () =>
      json(
        200,
        { type: "list", data: { items: [wire.connectionSummary("c-0")] } },
        { "x-correlation-id": "corr-schema" },
      );
    const error = await caught(client.listConnections("u-1"));
    expect(error).toBeInstanceOf(BasiqSchemaError);
    expect(error).toMatchObject({ status: 200, path: "data", correlationId: "corr-schema" });
    expect(fake.apiRequests()).toHaveLength(1); // a broken contract is not retried
  });

  it("a body that is not JSON is a BasiqSchemaError at (body)", async () => {
    const { client, fake } = testClient();
    fake.onRequest = () => new Response("<html>gateway</html>", { status: 200 });
    expect(await caught(client.getUser("u-1"))).toMatchObject({ name: "BasiqSchemaError", path: "(body)" });
  });

  it("reads error bodies leniently: garbage still yields a typed error with the status", async () => {
    const { client, fake } = testClient({ retries: 0 });
    fake.onRequest = () =>
      new Response("Bad Gateway", { status: 502, headers: { "x-correlation-id": "corr-h" } });
    const error = await caught(client.getUser("u-1"));
    expect(error).toBeInstanceOf(BasiqApiError);
    expect(error).toMatchObject({ status: 502, code: undefined, correlationId: "corr-h" });
  });

  it("keeps extra fields (loose objects) and accepts unlisted job result codes", async () => {
    const { client, fake } = testClient();
    fake.onRequest = () =>
      json(200, { ...wire.jobPage([]), data: [{ ...wire.job("j-1", "authorization-failed"), newField: 1 }] });
    const { jobs } = await client.listUserJobs("u-1");
    expect(jobs[0]).toMatchObject({ newField: 1 });
    expect(jobs[0]!.steps[0]).toMatchObject({ status: "failed", result: { code: "authorization-failed" } });
  });

  it("error messages carry the route template, never ids, tokens or the API key", async () => {
    const { client, fake } = testClient();
    fake.onRequest = () => basiqError(404, "resource-not-found");
    const error = await caught(client.getConnection("user-secret-123", "conn-secret-456"));
    expect(error.message).toBe(
      "Basiq GET /users/{userId}/connections/{connectionId} failed: 404 resource-not-found",
    );
    for (const secret of ["user-secret-123", "conn-secret-456", "token-1", TEST_API_KEY]) {
      expect(error.message).not.toContain(secret);
      expect(JSON.stringify(error)).not.toContain(secret);
    }
  });

  it.each(["", "../admin", "a/b", "a b", "max@hooli.com", "x".repeat(200)])(
    "rejects the id %j before any request",
    async (id) => {
      const { client, fake } = testClient();
      const error = await caught(client.getUser(id));
      expect(error).toBeInstanceOf(BasiqInputError);
      expect(error.message).not.toContain("hooli");
      expect(fake.requests).toHaveLength(0);
    },
  );

  it("validates connector ids and methods against the spec", async () => {
    const { client, fake } = testClient();
    fake.onRequest = () => json(200, wire.connector());
    await expect(client.getConnector("AU00000", "openbanking")).resolves.toMatchObject({ id: "AU00000" });
    expect(fake.apiRequests()[0]!.key).toBe("GET /connectors/AU00000/openbanking");
    await expect(client.getConnector("au00000", "openbanking")).rejects.toBeInstanceOf(BasiqInputError);
    await expect(client.getConnector("AU00000", "carrier-pigeon" as "web")).rejects.toBeInstanceOf(
      BasiqInputError,
    );
  });
});

describe("logging", () => {
  it("logs a failed call once with route, status, code, correlationId, ids and attempt — and no secrets", async () => {
    const { client, fake, logs } = testClient();
    fake.onRequest = () => basiqError(404, "resource-not-found", "corr-404");
    await caught(client.getConnection("u-1", "c-1", { jobId: "j-9" }));
    const failures = logs.lines().filter((l) => (l.level as number) >= 40);
    expect(failures).toHaveLength(1);
    expect(failures[0]).toMatchObject({
      level: 40,
      component: "basiq",
      route: "GET /users/{userId}/connections/{connectionId}",
      status: 404,
      code: "resource-not-found",
      correlationId: "corr-404",
      userId: "u-1",
      connectionId: "c-1",
      jobId: "j-9",
      attempt: 1,
    });
    const raw = logs.raw();
    for (const secret of ["token-1", TEST_API_KEY, "Bearer", "Basic", "max@hooli.com", "Detail"]) {
      expect(raw).not.toContain(secret);
    }
  });

  it("logs the failing step when a call fails because its token could not be obtained", async () => {
    const { client, fake, logs } = testClient({ retries: 0 });
    fake.onToken = () => basiqError(403, "forbidden-access", "corr-token");
    await caught(client.getJob("j-1"));
    expect(logs.lines().filter((l) => (l.level as number) >= 40)).toEqual([
      expect.objectContaining({
        route: "GET /jobs/{jobId}",
        failedRoute: "POST /token",
        status: 403,
        correlationId: "corr-token",
        jobId: "j-1",
      }),
    ]);
    expect(logs.raw()).not.toContain(TEST_API_KEY);
  });

  it("logs a failed background refresh as a warning while calls keep working", async () => {
    const { client, fake, clock, logs } = testClient();
    fake.onRequest = () => json(200, wire.user());
    await client.getUser("u-1");
    clock.advance(31 * MIN);
    fake.onToken = () => basiqError(503, "service-unavailable");
    await client.getUser("u-1");
    await sleep(0);
    expect(logs.lines()).toContainEqual(
      expect.objectContaining({
        level: 40,
        route: "POST /token",
        status: 503,
        msg: expect.stringContaining("background"),
      }),
    );
  });
});

describe("concurrency", () => {
  it("keeps at most a lane's maximum in flight (across routes) and reports inFlight/queued", async () => {
    const { client, fake } = testClient({ interactiveMaxInFlight: 8 });
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    fake.onRequest = async (r: RecordedRequest) => {
      await gate;
      return r.url.pathname.includes("/connections/") ? json(200, wire.connection()) : json(200, wire.user());
    };
    const calls = Array.from({ length: 40 }, (_, i) =>
      i % 2 === 0 ? client.getUser("u-1") : client.getConnection("u-1", "c-1"),
    );
    await sleep(5);
    expect(client.metrics()).toMatchObject({
      inFlight: 8,
      queued: 32,
      lanes: { interactive: { max: 8, routeMax: 6, inFlight: 8, queued: 32 } },
    });
    expect(fake.maxInFlight).toBe(8);
    release();
    await Promise.all(calls);
    expect(fake.maxInFlight).toBe(8);
    expect(client.metrics()).toMatchObject({ inFlight: 0, queued: 0 });
  });

  it("a token needed while every slot is busy jumps the queue (no deadlock)", async () => {
    const { client, fake, clock } = testClient({ interactiveMaxInFlight: 1 });
    let releaseFirst!: () => void;
    const gate = new Promise<void>((r) => (releaseFirst = r));
    fake.onRequest = async (r: RecordedRequest) => {
      if (r.url.pathname === "/users/first") await gate;
      return json(200, wire.user(r.url.pathname.split("/")[2]));
    };
    const first = client.getUser("first");
    await sleep(1);
    const queued = client.getUser("queued"); // has token-1, waits for the slot
    await sleep(1);
    clock.advance(2 * 60 * MIN); // token-1 has expired: the next caller must block on a new token
    const late = client.getUser("late");
    await sleep(1);
    releaseFirst();
    await Promise.all([first, queued, late]);
    expect(fake.requests.map((r) => r.key)).toEqual([
      "POST /token",
      "GET /users/first",
      "POST /token",
      "GET /users/queued",
      "GET /users/late",
    ]);
  });

  it("a caller's abort signal cancels a queued call without sending it", async () => {
    const { client, fake } = testClient({ interactiveMaxInFlight: 1 });
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    fake.onRequest = async () => {
      await gate;
      return json(200, wire.user());
    };
    const first = client.getUser("u-1");
    const controller = new AbortController();
    const second = client.getUser("u-2", { signal: controller.signal });
    await sleep(1);
    controller.abort();
    await expect(second).rejects.toThrow(/abort/i);
    release();
    await first;
    expect(fake.apiRequests().map((r) => r.key)).toEqual(["GET /users/u-1"]);
  });
});

describe("lists", () => {
  it("listUserJobs filters by connection and follows links.next on our own base URL", async () => {
    const { client, fake } = testClient();
    fake.onRequest = (r) => {
      const page = r.url.searchParams.get("page");
      if (!page)
        return json(200, wire.jobPage(["j-1", "j-2"], "https://au-api.basiq.io/users/u-1/jobs?page=2"));
      if (page === "2") return json(200, wire.jobPage(["j-3"], "/users/u-1/jobs?page=3"));
      return json(200, wire.jobPage(["j-4"]));
    };
    const { jobs, truncated } = await client.listUserJobs("u-1", { connectionId: "c-1" });
    expect(jobs.map((j) => j.id)).toEqual(["j-1", "j-2", "j-3", "j-4"]);
    expect(truncated).toBe(false);
    const urls = fake.apiRequests().map((r) => r.url);
    expect(urls[0]!.searchParams.get("filter")).toBe("connection.id.eq('c-1')");
    // The absolute link to another host was rebased: the bearer token never leaves our base URL.
    expect(urls.map((u) => u.origin)).toEqual([
      "https://basiq.test",
      "https://basiq.test",
      "https://basiq.test",
    ]);
  });

  it("listUserJobs stops at the page cap and on a repeating next link", async () => {
    const { client, fake } = testClient();
    let n = 0;
    fake.onRequest = () => json(200, wire.jobPage([`j-${++n}`], `/users/u-1/jobs?page=${n + 1}`));
    const capped = await client.listUserJobs("u-1", { maxPages: 3 });
    expect(capped).toMatchObject({ truncated: true });
    expect(capped.jobs).toHaveLength(3);

    const loop = testClient();
    loop.fake.onRequest = () => json(200, wire.jobPage(["j"], "/users/u-1/jobs?page=2"));
    const looped = await loop.client.listUserJobs("u-1");
    expect(looped.truncated).toBe(true);
    expect(loop.fake.apiRequests()).toHaveLength(2);
  });

  it("refuses a next link to a different resource", async () => {
    const { client, fake } = testClient();
    fake.onRequest = () => json(200, wire.jobPage(["j-1"], "/users/someone-else/jobs?page=2"));
    expect(await caught(client.listUserJobs("u-1"))).toMatchObject({
      name: "BasiqSchemaError",
      path: "links.next",
    });
  });

  it("rejects a connectionId filter that could break out of the quotes", async () => {
    const { client, fake } = testClient();
    await expect(client.listUserJobs("u-1", { connectionId: "x'),user.id.eq('y" })).rejects.toBeInstanceOf(
      BasiqInputError,
    );
    expect(fake.requests).toHaveLength(0);
  });

  it("listConnections, listConnectors and listEvents parse their lists", async () => {
    const { client, fake } = testClient();
    fake.onRequest = (r) => {
      if (r.url.pathname === "/users/u-1/connections")
        return json(200, { type: "list", data: [wire.connectionSummary()], links: { self: "/x" } });
      if (r.url.pathname === "/connectors")
        return json(200, {
          type: "list",
          totalCount: 1,
          data: [wire.connector()],
          links: { self: "/connectors" },
        });
      if (r.url.searchParams.get("next") === "2")
        return json(200, { type: "list", data: [wire.event("e-2")], links: { self: "/events" } });
      return json(200, {
        type: "list",
        data: [wire.event("e-1")],
        links: { self: "/events", next: "/events?next=2" },
      });
    };
    expect(await client.listConnections("u-1")).toHaveLength(1);
    expect(await client.listConnectors({ filter: "connector.method.eq('openbanking')" })).toHaveLength(1);
    expect(fake.apiRequests()[1]!.url.searchParams.get("filter")).toBe("connector.method.eq('openbanking')");

    const first = await client.listEvents({ filter: "event.entity.eq('user')" });
    expect(first.events.map((e) => e.id)).toEqual(["e-1"]);
    const second = await client.listEvents({ next: first.next });
    expect(second).toEqual({ events: [expect.objectContaining({ id: "e-2" })], next: undefined });
    await expect(client.listEvents({ next: "https://evil.example/users/u-1" })).rejects.toBeInstanceOf(
      BasiqInputError,
    );
  });

  it("getJob accepts the spec's job detail shape", async () => {
    const { client, fake } = testClient();
    fake.onRequest = () =>
      json(200, {
        type: "job",
        id: "j-1",
        created: "2024-09-25T04:22:25Z",
        jobType: "connection",
        steps: [{ title: "verify-credentials", status: "failed", result: { code: "authorization-failed" } }],
        links: { self: "/jobs/j-1" },
      });
    await expect(client.getJob("j-1")).resolves.toMatchObject({ id: "j-1", steps: [{ status: "failed" }] });
  });
});

describe("metrics", () => {
  it("reports token age, token requests, per-route counters and no secrets", async () => {
    const { client, fake, clock } = testClient();
    let n = 0;
    fake.onRequest = () => (++n === 1 ? basiqError(503, "service-unavailable") : json(200, wire.user()));
    await client.getUser("u-1");
    clock.advance(90_000);
    const m = client.metrics();
    expect(m).toMatchObject({
      tokenAgeSeconds: 90 + Math.floor(clock.sleeps[0]! / 1000),
      tokenRequests: { total: 1, last24h: 1 },
      unauthorizedRetries: 0,
      inFlight: 0,
      queued: 0,
      byRoute: {
        "POST /token": { calls: 1, status429: 0, status5xx: 0, lastRetryAfterSeconds: null },
        "GET /users/{userId}": { calls: 2, status429: 0, status5xx: 1, lastRetryAfterSeconds: null },
      },
    });
    const text = JSON.stringify(m);
    for (const secret of ["token-1", TEST_API_KEY, "u-1"]) expect(text).not.toContain(secret);
  });
});

describe("tolerant lists", () => {
  it("one odd connection is left out and logged once with the route and user; the rest are returned", async () => {
    const { client, fake, logs } = testClient();
    fake.onRequest = () =>
      json(200, {
        type: "list",
        data: [
          { ...wire.connectionSummary("c-0"), status: "revoked" },
          { ...wire.connectionSummary("c-1"), institution: null },
          { ...wire.connectionSummary("c-2"), status: "init" },
        ],
      });
    const connections = await client.listConnections("u-1");
    expect(connections.map((c) => [c.id, c.status])).toEqual([
      ["c-0", "revoked"],
      ["c-2", "init"],
    ]);
    const warnings = logs.lines().filter((l) => String(l.msg).startsWith("Basiq list items left out"));
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatchObject({
      route: "GET /users/{userId}/connections",
      userId: "u-1",
      skipped: 1,
    });
  });
});

describe("lanes and bulkheads", () => {
  const gated = () => {
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    return { gate, release };
  };

  it("interactive calls are not queued behind a saturated background lane", async () => {
    const { client, fake } = testClient({ backgroundMaxInFlight: 10 });
    const { gate, release } = gated();
    fake.onRequest = async (r: RecordedRequest) => {
      if (r.url.pathname === "/users/swept/jobs") await gate;
      return json(200, wire.jobPage([]));
    };
    const background = client.inLane("background");
    const sweep = Array.from({ length: 20 }, () => background.listUserJobs("swept"));
    await sleep(5);
    expect(client.metrics().lanes.background).toMatchObject({
      inFlight: 8,
      queued: 12,
      max: 10,
      routeMax: 8,
    });
    // Same route, interactive lane: answered while the background lane is full and queued.
    await expect(client.listUserJobs("someone")).resolves.toEqual({ jobs: [], truncated: false });
    // …and the background lane gives way: a quarter of its slots for a moment after the page's call.
    expect(client.metrics().lanes.background).toMatchObject({ inFlight: 8, queued: 12, max: 10, capacity: 2 });
    release();
    await Promise.all(sweep);
    expect(client.metrics()).toMatchObject({ inFlight: 0, queued: 0 });
  });

  it("a call's own lane wins over the view's default", async () => {
    const { client, fake } = testClient({ backgroundMaxInFlight: 1 });
    const { gate, release } = gated();
    fake.onRequest = async () => {
      await gate;
      return json(200, wire.user());
    };
    const calls = [client.inLane("background").getUser("a"), client.getUser("b", { lane: "background" })];
    await sleep(5);
    expect(client.metrics().lanes).toMatchObject({
      background: { inFlight: 1, queued: 1 },
      interactive: { inFlight: 0, queued: 0 },
    });
    release();
    await Promise.all(calls);
  });

  it("a hung route does not block another route in the same lane", async () => {
    const { client, fake } = testClient({ interactiveMaxInFlight: 5, timeoutMs: 60_000 });
    const { gate, release } = gated();
    fake.onRequest = async (r: RecordedRequest) => {
      if (r.url.pathname.includes("/connections/")) {
        await gate; // this route hangs
        return json(200, wire.connection());
      }
      return json(200, wire.user());
    };
    const hung = Array.from({ length: 10 }, () => client.getConnection("u-1", "c-1"));
    await sleep(5);
    expect(client.metrics().lanes.interactive).toMatchObject({
      max: 5,
      routeMax: 4,
      inFlight: 4,
      queued: 6,
      inFlightByRoute: { "GET /users/{userId}/connections/{connectionId}": 4 },
    });
    await expect(client.getUser("u-1")).resolves.toMatchObject({ id: "u-1" });
    release();
    await Promise.all(hung);
  });

  it("a 429's Retry-After pauses both lanes, not just the caller", async () => {
    const { client, fake, clock } = testClient({ retries: 0 });
    const sentAt: Record<string, number> = {};
    fake.onRequest = (r: RecordedRequest) => {
      sentAt[r.url.pathname] = clock.now();
      return r.url.pathname === "/users/limited"
        ? basiqError(429, "too-many-requests", "c", { "retry-after": "5" })
        : json(200, wire.user());
    };
    await client.getUser("warm-up"); // the token, so that only the pause moves the clock below
    const limitedAt = clock.now();
    expect(await caught(client.getUser("limited"))).toMatchObject({ status: 429, retryAfterSeconds: 5 });
    expect(client.metrics().pausedForMs).toBe(5_000);
    await Promise.all([client.inLane("background").getUser("bg"), client.getUser("fg")]);
    expect(sentAt["/users/bg"]).toBeGreaterThanOrEqual(limitedAt + 5_000);
    expect(sentAt["/users/fg"]).toBeGreaterThanOrEqual(limitedAt + 5_000);
    expect(client.metrics().pausedForMs).toBe(0);
  });
});
