// The sandbox HTTP server: node:http, no framework. One request goes
//   route match → count → faults (latency, then status/hang/network/malformed) → configured latency →
//   auth (Basic on /token, Bearer elsewhere) → handler → JSON.
// Faults come before auth because they stand for the network and Basiq's edge, which fail before a token is
// looked at. Nothing here runs on a timer: jobs advance by comparing timestamps, so close() has no timers to
// wait for, and it aborts sleeping or hung requests and drops their sockets.
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

import { z } from "zod";

import { handleControl, REQUEST_LOG_LIMIT, type ControlTarget, type Counters, type RequestLogEntry } from "./control";
import { DAY, MAX_SANDBOX_USERS, generateDataset } from "./data";
import {
  ApiError,
  errorBody,
  errorForStatus,
  invalidToken,
  notFound,
  tokenExpired,
  unauthorizedAccess,
  unsupportedAccept,
} from "./errors";
import { collectSeededEvents, type EventRecord } from "./events";
import { FaultRegistry, MALFORMED_BODY, type FaultDecision } from "./faults";
import { BodyTooLargeError, readBody, sendJson, sleep, untilAborted } from "./http";
import { matchRoute, type RouteContext, type RouteMatch } from "./routes";
import { SandboxState } from "./state";
import { TokenStore } from "./tokens";
import { WebhookDispatcher } from "./webhooks";

export interface SandboxOptions {
  /** 0 = a random free port. Default 4010. */
  port?: number;
  /** Default 127.0.0.1. */
  host?: string;
  /** Accepted as `Authorization: Basic <apiKey>` on POST /token. Default "sandbox-key". */
  apiKey?: string;
  /** Default 300. */
  users?: number;
  /** Default 1. */
  seed?: number;
  /** Default 3600. */
  tokenTtlSeconds?: number;
  /** Added to every Basiq-route request. Default 0. */
  latencyMs?: number;
  /** `whsec_…` secret that signs every webhook delivery; unset = a random one per subscription (as Basiq). */
  webhookSecret?: string;
  /** Multiplies Basiq's webhook retry schedule (5 s, 5 min, 30 min, …); e.g. 0.001 in tests. Default 1. */
  webhookRetryScale?: number;
}

export interface Sandbox {
  url: string;
  port: number;
  close(): Promise<void>;
}

export const SANDBOX_DEFAULTS = {
  port: 4010,
  host: "127.0.0.1",
  apiKey: "sandbox-key",
  users: 300,
  seed: 1,
  tokenTtlSeconds: 3600,
  latencyMs: 0,
  webhookRetryScale: 1,
} as const;

const optionsSchema = z.object({
  port: z.number().int().min(0).max(65535).default(SANDBOX_DEFAULTS.port),
  host: z.string().min(1).default(SANDBOX_DEFAULTS.host),
  apiKey: z.string().min(1).default(SANDBOX_DEFAULTS.apiKey),
  users: z.number().int().min(1).max(MAX_SANDBOX_USERS).default(SANDBOX_DEFAULTS.users),
  seed: z.number().int().safe().default(SANDBOX_DEFAULTS.seed),
  tokenTtlSeconds: z.number().int().min(1).max(86_400).default(SANDBOX_DEFAULTS.tokenTtlSeconds),
  latencyMs: z.number().int().min(0).max(600_000).default(SANDBOX_DEFAULTS.latencyMs),
  webhookSecret: z.string().regex(/^whsec_[A-Za-z0-9+/]+={0,2}$/).optional(),
  webhookRetryScale: z.number().min(0.0001).max(1).default(SANDBOX_DEFAULTS.webhookRetryScale),
});

type ResolvedOptions = z.infer<typeof optionsSchema>;

export async function startSandbox(options: SandboxOptions = {}): Promise<Sandbox> {
  const parsed = optionsSchema.safeParse(options);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new TypeError(
      `Invalid sandbox option ${issue?.path.join(".") ?? ""}: ${issue?.message ?? "invalid"}`,
    );
  }
  const server = new SandboxServer(parsed.data);
  return server.listen();
}

class SandboxServer {
  private readonly dataset;
  private readonly state;
  private readonly tokens = new TokenStore();
  private readonly faults = new FaultRegistry();
  private readonly counters: Counters = {
    stats: new Map(),
    requests: new Map(),
    log: [],
    inFlight: 0,
    maxInFlight: 0,
  };
  /** Aborted by close(): ends sleeps and hangs. */
  private readonly lifetime = new AbortController();
  private readonly http = createServer((request, response) => {
    this.handle(request, response).catch((error: unknown) => this.crash(response, error));
  });
  private seededEvents: Promise<readonly EventRecord[]> | null = null;
  private baseUrl = "";
  private closing: Promise<void> | null = null;

  private readonly webhooks;

  constructor(private readonly options: ResolvedOptions) {
    this.dataset = generateDataset({ users: options.users, seed: options.seed });
    this.state = new SandboxState(this.dataset);
    this.webhooks = new WebhookDispatcher({
      dataset: this.dataset,
      baseUrl: () => this.baseUrl,
      secret: options.webhookSecret,
      retryScale: options.webhookRetryScale,
    });
    // Every event the sandbox generates at run time is delivered to the subscribed webhooks.
    this.state.onEvent((event) => this.webhooks.deliverEvent(event));
  }

  async listen(): Promise<Sandbox> {
    await new Promise<void>((resolve, reject) => {
      this.http.once("error", reject);
      this.http.listen(this.options.port, this.options.host, () => {
        this.http.off("error", reject);
        resolve();
      });
    });
    // Start indexing the seeded events now (in chunks, between requests), so the first GET /events is quick.
    void this.indexEvents().catch(() => undefined);
    const { port } = this.http.address() as AddressInfo;
    const host =
      this.options.host === "0.0.0.0" || this.options.host === "::" ? "127.0.0.1" : this.options.host;
    this.baseUrl = `http://${host.includes(":") ? `[${host}]` : host}:${port}`;
    return { url: this.baseUrl, port, close: () => this.close() };
  }

  /** Events of the seeded history within the retention window (plus a day of slack), computed once. */
  private indexEvents(): Promise<readonly EventRecord[]> {
    this.seededEvents ??= collectSeededEvents(
      this.dataset,
      this.dataset.anchor - 8 * DAY,
      this.lifetime.signal,
    );
    return this.seededEvents;
  }

  private close(): Promise<void> {
    this.closing ??= new Promise<void>((resolve) => {
      this.lifetime.abort();
      this.webhooks.close();
      this.http.close(() => resolve());
      // Keep-alive, sleeping and hung connections would otherwise hold close() open.
      this.http.closeAllConnections();
    });
    return this.closing;
  }

  private get routeContext(): RouteContext {
    return {
      dataset: this.dataset,
      state: this.state,
      tokens: this.tokens,
      apiKey: this.options.apiKey,
      tokenTtlSeconds: this.options.tokenTtlSeconds,
      baseUrl: this.baseUrl,
      // The wall clock, plus whatever POST /__sandbox/clock added (tokens keep the wall clock).
      now: () => Date.now() + this.state.clockOffsetMs,
      seededEvents: () => this.indexEvents(),
      webhooks: this.webhooks,
    };
  }

  private get controlTarget(): ControlTarget {
    return {
      dataset: this.dataset,
      state: this.state,
      tokens: this.tokens,
      faults: this.faults,
      counters: this.counters,
      webhooks: this.webhooks,
      now: Date.now,
    };
  }

  private async handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const url = new URL(request.url ?? "/", "http://sandbox.invalid");
    const method = request.method ?? "GET";
    const body = await this.readBodyOrReject(request, response);
    if (body === null) return;

    if (url.pathname === "/__sandbox" || url.pathname.startsWith("/__sandbox/")) {
      const reply = handleControl(this.controlTarget, method, url.pathname, url.searchParams, body);
      sendJson(response, reply.status, reply.body);
      return;
    }

    const match = matchRoute(method, url.pathname);
    if (!match) {
      sendError(response, notFound(`No Basiq route ${method} ${url.pathname} in the sandbox.`));
      return;
    }
    this.track(match, `${method} ${url.pathname}`, response);
    const signal = AbortSignal.any([this.lifetime.signal, closedSignal(response)]);

    const decision = this.faults.take(match.definition.key, match.params);
    if (!(await sleep(decision.latencyMs + this.options.latencyMs, signal))) return;
    if (decision.terminal && (await this.applyTerminalFault(decision.terminal, match, response, signal)))
      return;

    try {
      const accept = request.headers.accept;
      if (accept !== undefined && !acceptsJson(accept)) throw unsupportedAccept(accept);
      this.authorize(match, request);
      const reply = await match.definition.handle(this.routeContext, {
        params: match.params,
        query: url.searchParams,
        headers: request.headers,
        body,
        pathAndQuery: `${url.pathname}${url.search}`,
      });
      sendJson(response, reply.status, reply.body, reply.headers);
    } catch (error) {
      if (!(error instanceof ApiError)) throw error;
      sendError(response, error);
    }
  }

  /** Count the request and keep inFlight/maxInFlight while it is open. */
  private track(match: RouteMatch, request: string, response: ServerResponse): void {
    const { stats, requests } = this.counters;
    stats.set(match.definition.key, (stats.get(match.definition.key) ?? 0) + 1);
    requests.set(request, (requests.get(request) ?? 0) + 1);
    this.counters.inFlight++;
    this.counters.maxInFlight = Math.max(this.counters.maxInFlight, this.counters.inFlight);
    const entry: RequestLogEntry = { request, userId: match.params.userId ?? null, start: Date.now(), end: null };
    const log = this.counters.log;
    log.push(entry);
    if (log.length > REQUEST_LOG_LIMIT) log.splice(0, log.length - REQUEST_LOG_LIMIT);
    response.once("close", () => {
      this.counters.inFlight--;
      entry.end = Date.now();
    });
  }

  /** True when the fault answered (or deliberately did not answer) the request. */
  private async applyTerminalFault(
    fault: NonNullable<FaultDecision["terminal"]>,
    match: RouteMatch,
    response: ServerResponse,
    signal: AbortSignal,
  ): Promise<boolean> {
    switch (fault.kind) {
      case "status": {
        const error = errorForStatus(fault.status, match.definition.key);
        const headers: Record<string, string> =
          fault.retryAfter === undefined ? {} : { "Retry-After": String(fault.retryAfter) };
        sendJson(response, fault.status, errorBody(error), headers);
        return true;
      }
      case "malformed":
        sendJson(response, 200, MALFORMED_BODY);
        return true;
      case "token-expired":
        sendError(response, tokenExpired());
        return true;
      case "network":
        // The client sees a reset connection / "socket hang up".
        response.socket?.destroy();
        return true;
      case "hang":
        // Never answer: wait until the client gives up or the sandbox closes, then drop the socket.
        await untilAborted(signal);
        response.socket?.destroy();
        return true;
    }
  }

  private authorize(match: RouteMatch, request: IncomingMessage): void {
    if (match.definition.auth === "basic") return; // POST /token checks the API key itself.
    const header = request.headers.authorization;
    if (!header)
      throw unauthorizedAccess("The Authorization header is missing: send Authorization: Bearer <token>.");
    if (!header.startsWith("Bearer "))
      throw unauthorizedAccess("Authorization must be Bearer <token> on this route.");
    switch (this.tokens.check(header.slice("Bearer ".length), Date.now())) {
      case "valid":
        return;
      case "expired":
        throw invalidToken("The access token has expired; request a new one from POST /token.");
      case "unknown":
        throw invalidToken("The access token is not valid (unknown or revoked).");
    }
  }

  private async readBodyOrReject(request: IncomingMessage, response: ServerResponse): Promise<string | null> {
    try {
      return await readBody(request);
    } catch (error) {
      if (!(error instanceof BodyTooLargeError)) throw error;
      sendError(response, new ApiError(400, "invalid-content", "Invalid content", error.message));
      return null;
    }
  }

  private crash(response: ServerResponse, error: unknown): void {
    console.error("[sandbox] unexpected error:", error);
    sendError(
      response,
      new ApiError(500, "internal-server-error", "Internal Server error.", "Unexpected sandbox error."),
    );
  }
}

/** Basiq answers JSON only: an Accept header must allow application/json (or be absent/empty). */
export function acceptsJson(accept: string): boolean {
  if (accept.trim() === "") return true;
  return accept.split(",").some((part) => {
    const [range = "", ...params] = part.split(";").map((p) => p.trim().toLowerCase());
    const q = params.find((p) => p.startsWith("q="));
    if (q !== undefined && Number(q.slice(2)) === 0) return false;
    return range === "*/*" || range === "application/*" || range === "application/json";
  });
}

function sendError(response: ServerResponse, error: ApiError): void {
  sendJson(response, error.status, errorBody(error), error.headers);
}

/** Aborts when the client closes the connection before the answer is complete. */
function closedSignal(response: ServerResponse): AbortSignal {
  const controller = new AbortController();
  response.once("close", () => controller.abort());
  return controller.signal;
}
