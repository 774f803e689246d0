// POST /token and bearer checks: what a Basiq client must cope with.
import { afterEach, describe, expect, it } from "vitest";

import { sleep, startTestSandbox, type TestSandbox } from "./test-support/client";

describe("authentication", () => {
  let running: TestSandbox | undefined;
  afterEach(async () => {
    await running?.sandbox.close();
    running = undefined;
  });

  it("issues a Bearer token for the configured key, sent as issued (not re-encoded)", async () => {
    running = await startTestSandbox({ apiKey: "NjMxMjNmMWM6NDc1ZjAzOGQ=" });
    const reply = await running.client.requestToken();
    expect(reply.status).toBe(200);
    expect(reply.body).toMatchObject({ token_type: "Bearer", expires_in: 3600 });
    expect(reply.body.access_token).toMatch(/^[\w-]+\.[\w-]+\.[\w-]+$/);
    // The raw key is compared as a string: base64-encoding it again is a wrong key.
    const reencoded = await running.client.requestToken({
      authorization: `Basic ${Buffer.from("NjMxMjNmMWM6NDc1ZjAzOGQ=").toString("base64")}`,
    });
    expect(reencoded.status).toBe(404);
  });

  it('answers a wrong or missing key like Basiq: 404 "check your API key"; a missing version or scope with 400', async () => {
    running = await startTestSandbox();
    const { client } = running;
    const wrong = await client.requestToken({ authorization: "Basic wrong-key" });
    expect(wrong.status).toBe(404);
    expect(wrong.body).toMatchObject({
      type: "list",
      data: [
        {
          type: "error",
          code: "resource-not-found",
          detail: "Unable to authenticate. Please, check your API key",
        },
      ],
    });
    expect(wrong.body.correlationId).toMatch(/^[0-9a-f-]{36}$/);
    expect((await client.requestToken({ authorization: null })).status).toBe(404);
    expect((await client.requestToken({ authorization: "Bearer sandbox-key" })).status).toBe(404);

    const noVersion = await client.requestToken({ version: null });
    expect(noVersion.status).toBe(400);
    expect(noVersion.body.data[0]).toMatchObject({
      code: "parameter-not-supplied",
      source: { parameter: "basiq-version" },
    });
    const oldVersion = await client.requestToken({ version: "2.1" });
    expect(oldVersion.status).toBe(400);
    expect(oldVersion.body.data[0].code).toBe("parameter-not-valid");
    const noScope = await client.requestToken({ body: "" });
    expect(noScope.body.data[0]).toMatchObject({
      code: "parameter-not-supplied",
      source: { parameter: "scope" },
    });
    const badScope = await client.requestToken({ body: "scope=EVERYTHING" });
    expect(badScope.status).toBe(400);
  });

  it("requires a bearer token on every other route: missing → unauthorized-access, unknown → invalid-authorization-token", async () => {
    running = await startTestSandbox();
    const { client } = running;
    const missing = await client.get("/connectors", { token: false });
    expect(missing.status).toBe(401);
    expect(missing.body.data[0].code).toBe("unauthorized-access");
    const basic = await client.get("/connectors", {
      token: false,
      headers: { authorization: "Basic sandbox-key" },
    });
    expect(basic.status).toBe(401);
    const unknown = await client.get("/connectors", { token: "forged.token.value" });
    expect(unknown.status).toBe(401);
    expect(unknown.body.data[0].code).toBe("invalid-authorization-token");
    expect((await client.get("/connectors")).status).toBe(200);
  });

  it("expires tokens after tokenTtlSeconds, checking on every call", async () => {
    running = await startTestSandbox({ tokenTtlSeconds: 1 });
    const { client } = running;
    const token = await client.accessToken();
    expect((await client.requestToken()).body.expires_in).toBe(1);
    expect((await client.get("/connectors", { token })).status).toBe(200);
    await sleep(1100);
    const expired = await client.get("/connectors", { token });
    expect(expired.status).toBe(401);
    expect(expired.body.data[0]).toMatchObject({ code: "invalid-authorization-token" });
    expect(expired.body.data[0].detail).toMatch(/expired/);
    client.forgetToken();
    expect((await client.get("/connectors")).status).toBe(200);
  });

  it("revoke-tokens invalidates every issued token at once; new tokens still work", async () => {
    running = await startTestSandbox();
    const { client } = running;
    const first = await client.accessToken();
    const second = (await client.requestToken()).body.access_token as string;
    const before = (await client.control("GET", "metrics")).body;
    expect(before).toMatchObject({ tokensIssued: 2, activeTokens: 2 });

    await client.fault({ kind: "revoke-tokens" });
    for (const token of [first, second]) {
      const reply = await client.get("/connectors", { token });
      expect(reply.status).toBe(401);
      expect(reply.body.data[0].code).toBe("invalid-authorization-token");
    }
    expect((await client.control("GET", "metrics")).body).toMatchObject({ tokensIssued: 2, activeTokens: 0 });
    client.forgetToken();
    expect((await client.get("/connectors")).status).toBe(200);
  });

  it("lists every token it has issued, revoked and reset ones included (leak tests search for them)", async () => {
    running = await startTestSandbox();
    const { client } = running;
    const first = await client.accessToken();
    await client.fault({ kind: "revoke-tokens" });
    await client.control("POST", "reset");
    const second = (await client.requestToken()).body.access_token as string;
    const listed = (await client.control("GET", "tokens")).body;
    expect(listed).toEqual({ count: 2, dropped: 0, tokens: [first, second] });
  });

  it('answers 403 "Token has expired" through a token-expired fault, then serves the same token again', async () => {
    running = await startTestSandbox();
    const { client } = running;
    const token = (await client.requestToken()).body.access_token as string;
    await client.fault({ kind: "token-expired", route: "GET /connectors", count: 1 });
    const expired = await client.get("/connectors", { token });
    expect(expired.status).toBe(403);
    expect(expired.body.data[0]).toMatchObject({ code: "forbidden-access", title: "Token has expired" });
    expect((await client.get("/connectors", { token })).status).toBe(200);
  });

  it("answers an Accept header that rules out JSON with 400 unsupported-accept", async () => {
    running = await startTestSandbox();
    const { client } = running;
    const token = (await client.requestToken()).body.access_token as string;
    const xml = await client.get("/connectors", { token, headers: { accept: "application/xml" } });
    expect(xml.status).toBe(400);
    expect(xml.body.data[0]).toMatchObject({ code: "unsupported-accept", source: { parameter: "Accept" } });
    for (const accept of [
      "application/json",
      "*/*",
      "application/*;q=0.5, text/html",
      "application/json; charset=utf-8",
    ]) {
      expect((await client.get("/connectors", { token, headers: { accept } })).status, accept).toBe(200);
    }
  });
});
