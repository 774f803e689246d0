import "server-only";

import type { Logger } from "pino";

import { createLogger } from "../log";
import { type BasiqClientOptions, createBasiqClient } from "./client";

// Test helpers for the Basiq client: a scriptable fake Basiq (fetch), a manual clock and a log capture.
// Used by lib/basiq/*.test.ts only.

export interface RecordedRequest {
  method: string;
  url: URL;
  /** `METHOD /path` with the concrete path, e.g. `GET /users/u-1`. */
  key: string;
  headers: Headers;
  body: string | undefined;
  signal: AbortSignal | undefined;
}

export type Handler = (request: RecordedRequest) => Response | Promise<Response>;

export function json(status: number, body: unknown, headers: Record<string, string> = {}): Response {
  return new Response(status === 204 ? null : JSON.stringify(body), {
    status,
    headers: { "content-type": "application/json", ...headers },
  });
}

export function basiqError(
  status: number,
  code: string,
  correlationId = "corr-1",
  headers: Record<string, string> = {},
) {
  return json(
    status,
    { type: "list", correlationId, data: [{ type: "error", code, title: "Title", detail: "Detail" }] },
    headers,
  );
}

/** Resolves never, rejects when the request's signal aborts (like a real fetch on a hung socket). */
export function hang(request: RecordedRequest): Promise<Response> {
  return new Promise((_resolve, reject) => {
    request.signal?.addEventListener("abort", () => reject(request.signal?.reason), { once: true });
  });
}

export interface FakeBasiq {
  fetch: typeof globalThis.fetch;
  requests: RecordedRequest[];
  /** Requests other than POST /token. */
  apiRequests(): RecordedRequest[];
  tokenRequests(): RecordedRequest[];
  issuedTokens: string[];
  /** Handler for POST /token; by default issues `token-<n>` valid for `tokenTtlSeconds`. */
  onToken: Handler;
  /** Handler for everything else; by default 200 `{}`. */
  onRequest: Handler;
  inFlight: number;
  maxInFlight: number;
}

export function fakeBasiq(options: { tokenTtlSeconds?: number } = {}): FakeBasiq {
  const fake: FakeBasiq = {
    requests: [],
    issuedTokens: [],
    inFlight: 0,
    maxInFlight: 0,
    apiRequests: () => fake.requests.filter((r) => r.key !== "POST /token"),
    tokenRequests: () => fake.requests.filter((r) => r.key === "POST /token"),
    onToken: () => {
      const token = `token-${fake.issuedTokens.length + 1}`;
      fake.issuedTokens.push(token);
      return json(200, {
        access_token: token,
        token_type: "Bearer",
        expires_in: options.tokenTtlSeconds ?? 3600,
      });
    },
    onRequest: () => json(200, {}),
    fetch: async (input, init) => {
      const url = new URL(typeof input === "string" ? input : input instanceof URL ? input.href : input.url);
      const method = init?.method ?? "GET";
      const request: RecordedRequest = {
        method,
        url,
        key: `${method} ${url.pathname}`,
        headers: new Headers(init?.headers),
        body: typeof init?.body === "string" ? init.body : undefined,
        signal: init?.signal ?? undefined,
      };
      fake.requests.push(request);
      fake.inFlight++;
      fake.maxInFlight = Math.max(fake.maxInFlight, fake.inFlight);
      try {
        return await (request.key === "POST /token" ? fake.onToken(request) : fake.onRequest(request));
      } finally {
        fake.inFlight--;
      }
    },
  };
  return fake;
}

/** A clock that only moves when told to; `sleep` advances it instantly and records the wait. */
export function manualClock(start = Date.UTC(2026, 0, 1)) {
  const clock = {
    time: start,
    sleeps: [] as number[],
    now: () => clock.time,
    advance: (ms: number) => {
      clock.time += ms;
    },
    sleep: async (ms: number, signal?: AbortSignal) => {
      signal?.throwIfAborted();
      clock.sleeps.push(ms);
      clock.time += ms;
    },
  };
  return clock;
}

export interface LogCapture {
  logger: Logger;
  lines: () => Record<string, unknown>[];
  raw: () => string;
}

/** A real pino logger (with the app's redaction) writing into memory, at debug level. */
export function captureLogs(): LogCapture {
  let output = "";
  // pino writes synchronously to a plain { write } destination, so lines are readable right after the call.
  const logger = createLogger({
    write: (line: string) => {
      output += line;
    },
  });
  logger.level = "debug";
  return {
    logger,
    raw: () => output,
    lines: () =>
      output
        .split("\n")
        .filter(Boolean)
        .map((l) => JSON.parse(l) as Record<string, unknown>),
  };
}

export const TEST_API_KEY = "dGVzdC1hcGkta2V5OnNlY3JldA==";

/** A client wired to a fake Basiq and a manual clock, with instant sleeps. */
export function testClient(overrides: Partial<BasiqClientOptions> & { fake?: FakeBasiq } = {}) {
  const { fake = fakeBasiq(), ...options } = overrides;
  const clock = manualClock();
  const logs = captureLogs();
  const client = createBasiqClient({
    baseUrl: "https://basiq.test",
    apiKey: TEST_API_KEY,
    fetch: fake.fetch,
    now: clock.now,
    sleep: clock.sleep,
    random: () => 0.5,
    logger: logs.logger,
    ...options,
  });
  return { client, fake, clock, logs };
}

// Minimal valid wire objects (per the OpenAPI spec), for handlers to return.
export const wire = {
  user: (id = "u-1") => ({
    type: "user",
    id,
    email: "max@hooli.com",
    mobile: "+61410888999",
    name: "Max Hooli",
    firstName: "Max",
    middleName: "",
    lastName: "Hooli",
    connections: {
      type: "list",
      count: 1,
      data: [{ type: "connection", id: "c-1", links: { self: "/c-1" } }],
    },
    accounts: { type: "list", count: 0, data: [] },
    links: { self: `/users/${id}`, accounts: "/a", connections: "/c", transactions: "/t" },
  }),
  connectionSummary: (id = "c-1") => ({
    type: "connection",
    id,
    method: "openbanking",
    status: "active",
    createdDate: "2026-01-01T00:00:00Z",
    expiryDate: "2027-01-01T00:00:00Z",
    institution: { type: "institution", id: "AU00000", links: { self: "/institutions/AU00000" } },
    links: { self: `/users/u-1/connections/${id}`, institution: "/institutions/AU00000" },
  }),
  connection: (id = "c-1") => ({
    ...wire.connectionSummary(id),
    links: { self: `/users/u-1/connections/${id}`, user: "/users/u-1" },
  }),
  job: (id = "j-1", code?: string) => ({
    type: "job",
    id,
    created: "2026-01-01T00:00:00Z",
    updated: "2026-01-01T00:01:00Z",
    institution: { type: "institution", id: "AU00000", links: { self: "/institutions/AU00000" } },
    steps: [
      code
        ? { title: "verify-credentials", status: "failed", result: { code, title: "Failed", detail: "Why" } }
        : { title: "verify-credentials", status: "success", result: { type: "link", url: "/c-1" } },
      { title: "retrieve-accounts", status: "pending", result: null },
    ],
    links: { self: `/jobs/${id}`, source: "/users/u-1/connections/c-1" },
  }),
  jobPage: (ids: string[], next?: string) => ({
    type: "list",
    size: ids.length,
    data: ids.map((id) => wire.job(id)),
    links: { self: "/users/u-1/jobs", ...(next ? { next } : {}) },
  }),
  connector: (id = "AU00000", method = "openbanking") => ({
    type: "connector",
    id,
    method,
    stage: "live",
    status: "operational",
    institution: {
      type: "Test Bank",
      name: "Hooli",
      shortName: "Hooli",
      tier: "4",
      country: "Australia",
      logo: { type: "image", links: { full: "/f.png", square: "/s.png" } },
    },
    scopes: ["ACCOUNT_DETAILS"],
    authorization: { type: "user" },
    stats: { averageDurationMs: { total: 4000 } },
    links: { self: `/connectors/${id}/${method}` },
  }),
  event: (id = "e-1") => ({
    type: "event",
    id,
    createdDate: "2026-01-01T00:00:00Z",
    entity: "user",
    eventType: "created",
    userId: "u-1",
    dataRef: "/users/u-1",
    data: { id: "u-1" },
    links: { self: `/events/${id}` },
  }),
};
