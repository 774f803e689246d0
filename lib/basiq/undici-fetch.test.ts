// The transport's HTTP exchange on undici's request API behaves as the transport expects of fetch: status,
// headers (case-insensitive, repeated ones joined), the body as text, no redirect followed, an abort cuts a hung
// exchange, and a refused connection carries its code.
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";

import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { undiciFetch } from "./undici-fetch";

let server: Server;
let base: string;
const seen: { method?: string; body: string; auth?: string }[] = [];

beforeAll(async () => {
  server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      seen.push({ method: req.method, body: Buffer.concat(chunks).toString("utf8"), auth: req.headers.authorization });
      if (req.url === "/redirect") return void res.writeHead(302, { location: "/elsewhere" }).end();
      if (req.url === "/hang") return; // never answers
      res.setHeader("X-Correlation-Id", "corr-1");
      res.setHeader("Retry-After", "5");
      res.setHeader("Set-Cookie", ["a=1", "b=2"]);
      res.writeHead(req.url === "/limited" ? 429 : 200, { "content-type": "application/json" }).end('{"ok":"ünïcode"}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

const init = (method = "GET", body?: string) => ({
  method,
  headers: { authorization: "Bearer t", "content-type": "application/json" },
  body,
  signal: new AbortController().signal,
  redirect: "manual" as const,
});

describe("undiciFetch", () => {
  it("returns the status, headers read case-insensitively and the body as UTF-8 text", async () => {
    const answer = await undiciFetch(`${base}/limited`, init("POST", '{"a":1}'));
    expect(answer.status).toBe(429);
    expect(answer.headers.get("x-correlation-id")).toBe("corr-1");
    expect(answer.headers.get("Retry-After")).toBe("5");
    expect(answer.headers.get("set-cookie")).toBe("a=1, b=2");
    expect(answer.headers.get("missing")).toBeNull();
    expect(JSON.parse(await answer.text())).toEqual({ ok: "ünïcode" });
    expect(seen.at(-1)).toEqual({ method: "POST", body: '{"a":1}', auth: "Bearer t" });
  });

  it("does not follow a redirect (the Authorization header must not travel)", async () => {
    const before = seen.length;
    const answer = await undiciFetch(`${base}/redirect`, init());
    expect(answer.status).toBe(302);
    expect(answer.headers.get("location")).toBe("/elsewhere");
    expect(seen.length).toBe(before + 1);
  });

  it("an abort cuts a hung exchange", async () => {
    const controller = new AbortController();
    const pending = undiciFetch(`${base}/hang`, { ...init(), signal: controller.signal });
    setTimeout(() => controller.abort(), 50);
    await expect(pending).rejects.toMatchObject({ name: "AbortError" });
  });

  it("a refused connection rejects with its code", async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, "127.0.0.1", resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    await expect(undiciFetch(`http://127.0.0.1:${port}/`, init())).rejects.toMatchObject({ code: "ECONNREFUSED" });
  });
});
