// Issue 13: errors are classified by the route that failed, and a refused token gets exactly one refresh.
// Against a scriptable fake Basiq (lib/basiq/testing.ts) with a manual clock.
import { describe, expect, it } from "vitest";

import { BasiqApiError, BasiqError, isBasiqKeyRefused, isBasiqNotFound, isTokenFailure } from "./errors";
import { basiqError, json, testClient, wire } from "./testing";

async function caught(promise: Promise<unknown>): Promise<BasiqError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof BasiqError) return error;
    throw error;
  }
  throw new Error("expected the call to fail");
}

/** Basiq's answer to a deleted or wrong API key (BASIQ.md). */
const keyRefused = () =>
  json(404, {
    type: "list",
    correlationId: "corr-key",
    data: [
      {
        type: "error",
        code: "resource-not-found",
        title: "Requested resource is not found.",
        detail: "Unable to authenticate. Please, check your API key",
      },
    ],
  });

const tokenExpired = () =>
  json(403, {
    type: "list",
    correlationId: "corr-exp",
    data: [
      { type: "error", code: "forbidden-access", title: "Forbidden Access", detail: "Token has expired" },
    ],
  });

describe("a 404 from POST /token is a credentials problem, never 'not found'", () => {
  it("isBasiqNotFound is false for it; isBasiqKeyRefused and isTokenFailure are true", async () => {
    const { client, fake } = testClient();
    fake.onToken = keyRefused;
    const error = await caught(client.getUser("u-1"));
    expect(error).toBeInstanceOf(BasiqApiError);
    expect(error).toMatchObject({ status: 404, route: "POST /token" });
    expect(isBasiqNotFound(error)).toBe(false);
    expect(isBasiqNotFound(error, { invalidIdToo: true })).toBe(false);
    expect(isBasiqKeyRefused(error)).toBe(true);
    expect(isTokenFailure(error)).toBe(true);
    expect(fake.apiRequests()).toHaveLength(0); // the user was never asked for
  });

  it("a 404 on the resource's own route is 'not found' (and a 400 only when asked to)", async () => {
    const { client, fake } = testClient();
    fake.onRequest = () => basiqError(404, "resource-not-found");
    const notFound = await caught(client.getUser("u-1"));
    expect(isBasiqNotFound(notFound)).toBe(true);
    expect(isBasiqKeyRefused(notFound)).toBe(false);

    fake.onRequest = () => basiqError(400, "parameter-not-valid");
    const invalid = await caught(client.getConnection("u-1", "c-1"));
    expect(isBasiqNotFound(invalid)).toBe(false);
    expect(isBasiqNotFound(invalid, { invalidIdToo: true })).toBe(true);
  });

  it("a 5xx from POST /token is an outage: not not-found, not a key refusal", async () => {
    const { client, fake } = testClient({ retries: 0 });
    fake.onToken = () => basiqError(503, "service-unavailable");
    const error = await caught(client.getUser("u-1"));
    expect(isTokenFailure(error)).toBe(true);
    expect(isBasiqNotFound(error)).toBe(false);
    expect(isBasiqKeyRefused(error)).toBe(false);
  });

  it("a key refusal is remembered for 5 s: a stampede of 50 callers, then 50 more, makes one POST /token", async () => {
    const { client, fake, clock } = testClient();
    fake.onToken = keyRefused;
    const first = await Promise.allSettled(Array.from({ length: 50 }, () => client.getUser("u-1")));
    clock.advance(2_000);
    const second = await Promise.allSettled(Array.from({ length: 50 }, () => client.getUser("u-1")));
    expect([...first, ...second].every((r) => r.status === "rejected" && isBasiqKeyRefused(r.reason))).toBe(
      true,
    );
    expect(fake.tokenRequests()).toHaveLength(1);
    expect(client.metrics().tokenFailure).toMatchObject({ status: 404, keyRefused: true });

    // After the memo, the key is tried again; once it works, the failure is forgotten.
    clock.advance(5_000);
    fake.onToken = () => json(200, { access_token: "fixed", token_type: "Bearer", expires_in: 3600 });
    fake.onRequest = () => json(200, wire.user());
    await expect(client.getUser("u-1")).resolves.toMatchObject({ id: "u-1" });
    expect(fake.tokenRequests()).toHaveLength(2);
    expect(client.metrics().tokenFailure).toBeNull();
  });
});

describe('403 "Token has expired" forces one token refresh, like a 401', () => {
  it("exactly one new POST /token, and the call succeeds", async () => {
    const { client, fake } = testClient();
    fake.onRequest = (r) =>
      r.headers.get("authorization") === "Bearer token-1" ? tokenExpired() : json(200, wire.user());
    await expect(client.getUser("u-1")).resolves.toMatchObject({ id: "u-1" });
    expect(fake.tokenRequests()).toHaveLength(2);
    expect(fake.apiRequests()).toHaveLength(2);
    expect(client.metrics().unauthorizedRetries).toBe(1);
  });

  it("at most one refresh per call: a second 403 expired goes back to the caller", async () => {
    const { client, fake } = testClient();
    fake.onRequest = tokenExpired;
    const error = await caught(client.getUser("u-1"));
    expect(error).toMatchObject({ status: 403 });
    expect(fake.tokenRequests()).toHaveLength(2);
    expect(fake.apiRequests()).toHaveLength(2);
  });

  it("a 401 then a 403 expired in one call still make only one refresh", async () => {
    const { client, fake } = testClient();
    let n = 0;
    fake.onRequest = () => (++n === 1 ? basiqError(401, "invalid-authorization-token") : tokenExpired());
    await caught(client.getUser("u-1"));
    expect(fake.tokenRequests()).toHaveLength(2);
  });

  it("a plain 403 forbidden-access is an answer about the resource: no refresh, no retry", async () => {
    const { client, fake } = testClient();
    fake.onRequest = () => basiqError(403, "forbidden-access");
    const error = await caught(client.getUser("u-1"));
    expect(error).toMatchObject({ status: 403, route: "GET /users/{userId}" });
    expect(fake.tokenRequests()).toHaveLength(1);
    expect(fake.apiRequests()).toHaveLength(1);
  });

  it("20 concurrent callers hit by 403 expired with the same token share one new token", async () => {
    const { client, fake } = testClient();
    fake.onRequest = async (r) => {
      await new Promise((resolve) => setTimeout(resolve, 1));
      return r.headers.get("authorization") === "Bearer token-1" ? tokenExpired() : json(200, wire.user());
    };
    await Promise.all(Array.from({ length: 20 }, () => client.getUser("u-1")));
    expect(fake.tokenRequests()).toHaveLength(2);
  });
});
