// Traces: the console's telemetry set-up (startTelemetry, as instrumentation.ts calls it) exports over OTLP/HTTP
// to a local receiver — a plain node http server decoding the JSON export. One child span per Basiq call, under the
// page's span, carrying route, status, ids and Basiq's correlationId; no query string, no personal data.
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";

import { context, trace } from "@opentelemetry/api";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { createBasiqClient } from "@/lib/basiq/client";
import { captureLogs } from "@/lib/basiq/testing";
import { type Sandbox, startSandbox } from "@/sandbox/server";

import { startTelemetry } from "./otel";

interface OtlpSpan {
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  name: string;
  attributes: { key: string; value: Record<string, unknown> }[];
}

let receiver: Server;
let endpoint: string;
const received: OtlpSpan[] = [];
let sandbox: Sandbox;

beforeAll(async () => {
  receiver = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      if (req.url === "/v1/traces" && req.headers["content-type"]?.includes("json")) {
        const body = JSON.parse(Buffer.concat(chunks).toString("utf8")) as {
          resourceSpans: { scopeSpans: { spans: OtlpSpan[] }[] }[];
        };
        for (const rs of body.resourceSpans) for (const ss of rs.scopeSpans) received.push(...ss.spans);
      }
      res.writeHead(200, { "content-type": "application/json" }).end("{}");
    });
  });
  await new Promise<void>((resolve) => receiver.listen(0, "127.0.0.1", resolve));
  endpoint = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}`;
  sandbox = await startSandbox({ port: 0, users: 5 });
  await startTelemetry(endpoint);
});

afterAll(async () => {
  await sandbox?.close();
  await new Promise((resolve) => receiver?.close(resolve));
});

const attr = (span: OtlpSpan, key: string) => {
  const v = span.attributes.find((a) => a.key === key)?.value;
  return v ? (v.stringValue ?? (v.intValue !== undefined ? Number(v.intValue) : v.boolValue)) : undefined;
};

async function flush(): Promise<void> {
  const provider = trace.getTracerProvider() as { getDelegate?: () => { forceFlush?: () => Promise<void> } };
  await provider.getDelegate?.().forceFlush?.();
}

describe("OTLP traces", () => {
  it("exports one child span per Basiq call under the page's span, with route, status, ids and correlationId", async () => {
    const client = createBasiqClient({ baseUrl: sandbox.url, apiKey: "sandbox-key", logger: captureLogs().logger, retries: 0 });
    const { ids } = (await (await fetch(`${sandbox.url}/__sandbox/users?limit=2`)).json()) as { ids: string[] };
    const [userId, otherId] = ids as [string, string];
    await fetch(`${sandbox.url}/__sandbox/faults`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ kind: "status", route: "GET /users/{userId}", status: 503, userId: otherId }),
    });

    const tracer = trace.getTracer("test-page");
    const page = tracer.startSpan("GET /users/[userId]");
    await context.with(trace.setSpan(context.active(), page), async () => {
      await client.getUser(userId);
      await client.listConnections(userId);
      await client.getUser(otherId).catch(() => {});
    });
    page.end();
    await flush();

    const pageSpan = received.find((s) => s.name === "GET /users/[userId]")!;
    expect(pageSpan).toBeDefined();
    const children = received.filter((s) => s.parentSpanId === pageSpan.spanId);
    expect(children.map((s) => s.name).sort()).toEqual([
      "basiq GET /users/{userId}",
      "basiq GET /users/{userId}",
      "basiq GET /users/{userId}/connections",
    ]);
    for (const s of children) expect(s.traceId).toBe(pageSpan.traceId);
    const ok = children.find((s) => s.name === "basiq GET /users/{userId}" && attr(s, "basiq.user_id") === userId)!;
    expect(attr(ok, "basiq.route")).toBe("GET /users/{userId}");
    expect(attr(ok, "http.response.status_code")).toBe(200);
    expect(attr(ok, "basiq.attempts")).toBe(1);
    const failed = children.find((s) => attr(s, "basiq.user_id") === otherId)!;
    expect(attr(failed, "http.response.status_code")).toBe(503);
    expect(attr(failed, "basiq.correlation_id")).toMatch(/^[0-9a-f-]{36}$/);
    expect(attr(failed, "error.type")).toBe("BasiqApiError");
    // The token request is no child of the page (it belongs to the client), and no span holds the key or a token.
    const everything = JSON.stringify(received);
    expect(everything).not.toContain("sandbox-key");
    expect(everything).not.toMatch(/Bearer|access_token/);
  });

  it("cuts query strings and client details from every exported span", async () => {
    const span = trace.getTracer("test-page").startSpan("GET /users?q=jane@example.com", {
      attributes: { "http.target": "/users?q=jane%40example.com", "next.route": "/users", "http.user_agent": "Mozilla", "url.query": "q=jane" },
    });
    span.end();
    await flush();
    const exported = received.find((s) => attr(s, "next.route") === "/users")!;
    expect(exported.name).toBe("GET /users");
    expect(attr(exported, "http.target")).toBe("/users");
    expect(JSON.stringify(exported)).not.toMatch(/jane|Mozilla/);
  });
});
