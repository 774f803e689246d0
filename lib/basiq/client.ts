import "server-only";

import type { Logger } from "pino";
import type { z } from "zod";

import { log } from "../log";
import { BasiqInputError, BasiqSchemaError, isBasiqError, isBasiqKeyRefused } from "./errors";
import { type CallContext, type CallSpec, defaultSleep, type Sleep, Transport } from "./http";
import { type BasiqFetch, undiciFetch } from "./undici-fetch";
import { giveWayToInteractive, type Lane, LANES, Limiter, PauseGate, routeCap } from "./limiter";
import { type LaneMetrics, type Reachability, RouteMetricsRecorder, type RouteMetrics } from "./metrics";
import { assertMatches, assertSafeId, resolveRoute, type ResolvedRoute } from "./routes";
import {
  type BasiqEvent,
  type BasiqUser,
  type Connection,
  type Consent,
  consentListSchema,
  type ConnectionSummary,
  connectionListSchema,
  connectionSchema,
  type Connector,
  CONNECTOR_ID_PATTERN,
  CONNECTOR_METHODS,
  connectorListSchema,
  connectorSchema,
  type ConnectorMethod,
  eventListSchema,
  eventTypeListSchema,
  eventSchema,
  type BasiqWebhook,
  type BasiqWebhookMessage,
  webhookListSchema,
  webhookMessageListSchema,
  webhookMessageSchema,
  webhookSchema,
  type Job,
  type JobDetail,
  jobDetailSchema,
  jobListSchema,
  jobReferenceSchema,
  skippedItems,
  userSchema,
} from "./schemas";
import type { TokenMetrics } from "./token-cache";

export type { CallContext } from "./http";
export type { Lane } from "./limiter";
export type { LaneMetrics } from "./metrics";

export interface BasiqClientOptions {
  /** e.g. https://au-api.basiq.io, or the local sandbox. */
  baseUrl: string;
  /** As issued by Basiq (already base64): sent as `Authorization: Basic <apiKey>` on POST /token only. */
  apiKey: string;
  /** Interactive calls (pages, actions) in flight at once; the rest wait in a FIFO queue. Default 32. */
  interactiveMaxInFlight?: number;
  /** Background calls (sweep, sync, connector refresh) in flight at once, in a lane of their own. Default 10. */
  backgroundMaxInFlight?: number;
  /** Per attempt, from the moment a concurrency slot is taken. */
  timeoutMs?: number;
  /** Retries of idempotent calls after a network error, timeout, 408, 429 or 5xx. */
  retries?: number;
  tokenRefreshAgeMs?: number;
  tokenBlockingWindowMs?: number;
  /** A Retry-After longer than this is not waited out: the call fails with retryAfterSeconds set. */
  maxRetryAfterMs?: number;
  /** Safety cap when following `links.next`. */
  maxPages?: number;
  /** The HTTP exchange (default: undici's request API, lib/basiq/undici-fetch.ts); tests inject a fetch stub. */
  fetch?: BasiqFetch;
  now?: () => number;
  sleep?: Sleep;
  random?: () => number;
  logger?: Logger;
}

export interface BasiqMetrics {
  tokenAgeSeconds: number | null;
  tokenExpiresInSeconds: number | null;
  tokenRequests: TokenMetrics["tokenRequests"];
  callersServed: number;
  callersServedPerTokenRequest: number | null;
  unauthorizedRetries: number;
  /**
   * Set while the last POST /token failed (none succeeded since): `keyRefused` when Basiq refused our API key
   * (a 4xx). Plain values only: no error object, body or key.
   */
  tokenFailure: { at: string; status: number | null; keyRefused: boolean } | null;
  byRoute: Record<string, RouteMetrics>;
  /** Totals over both lanes. */
  inFlight: number;
  queued: number;
  lanes: Record<Lane, LaneMetrics>;
  /** Milliseconds left of a pause after a 429's Retry-After (every lane waits); 0 when none. */
  pausedForMs: number;
  /** Whether Basiq answers at all (lib/basiq/metrics.ts). */
  reachability: Reachability;
}

export interface RefreshStarted {
  jobId: string;
  /** `links.self` of the job, as Basiq returned it. */
  jobLink: string;
  /** 200 instead of 202: a job was already queued or running and Basiq returned it, starting nothing. */
  alreadyRunning: boolean;
}

export interface UserJobs {
  jobs: Job[];
  /** True when the page cap stopped us before the last page. */
  truncated: boolean;
}

export interface EventPage {
  events: BasiqEvent[];
  /** Pass back as `next` for the following page; undefined on the last page. */
  next: string | undefined;
}

export interface BasiqClient {
  getUser(userId: string, context?: CallContext): Promise<BasiqUser>;
  /** GET /users/{userId}/consents: item by item (an item without a valid id is left out and logged). */
  listConsents(userId: string, context?: CallContext): Promise<Consent[]>;
  /** DELETE /users/{userId}/consents/{consentId} (204; "cannot be undone"): not retried, like purge. */
  revokeConsent(userId: string, consentId: string, context?: CallContext): Promise<void>;
  listConnections(userId: string, context?: CallContext): Promise<ConnectionSummary[]>;
  getConnection(userId: string, connectionId: string, context?: CallContext): Promise<Connection>;
  /**
   * Starts a refresh job (202), or returns the job already queued or running (200, `alreadyRunning`). Not
   * retried on network errors: see BasiqOutcomeUnknownError.
   */
  refreshConnection(userId: string, connectionId: string, context?: CallContext): Promise<RefreshStarted>;
  /** Removes the data fetched through the connection (204). Irreversible; never retried blindly. */
  purgeConnection(userId: string, connectionId: string, context?: CallContext): Promise<void>;
  deleteConnection(userId: string, connectionId: string, context?: CallContext): Promise<void>;
  /** All pages of a user's jobs, optionally only one connection's (`filter=connection.id.eq('<id>')`). */
  listUserJobs(
    userId: string,
    options?: CallContext & { connectionId?: string; maxPages?: number },
  ): Promise<UserJobs>;
  getJob(jobId: string, context?: CallContext): Promise<JobDetail>;
  listConnectors(options?: CallContext & { filter?: string }): Promise<Connector[]>;
  getConnector(connectorId: string, method: ConnectorMethod, context?: CallContext): Promise<Connector>;
  /** One page of events; pass the returned `next` to get the following one. */
  listEvents(options?: CallContext & { filter?: string; next?: string }): Promise<EventPage>;
  /** One event (GET /events/{eventId}): what a webhook's thin payload points to. */
  getEvent(eventId: string, context?: CallContext): Promise<BasiqEvent>;
  /** The application's webhook subscriptions (GET /notifications/webhooks); malformed items are left out. */
  listWebhooks(context?: CallContext): Promise<BasiqWebhook[]>;
  /** Creates (no id) or updates (POST /notifications/webhooks/{id}) a subscription. Never retried blindly. */
  saveWebhook(input: WebhookInput & { id?: string }, context?: CallContext): Promise<BasiqWebhook>;
  /** Basiq's delivery log of one subscription (GET /notifications/webhooks/{id}/messages), newest first. */
  listWebhookMessages(webhookId: string, options?: CallContext & { limit?: number }): Promise<BasiqWebhookMessage[]>;
  /** Asks Basiq to send a test message of `eventTypeId` to the subscriptions (POST /notifications/messages/test). */
  sendTestWebhook(eventTypeId: string, context?: CallContext): Promise<void>;
  /** Counters for the integration-health panel: no secrets, no ids. */
  metrics(): BasiqMetrics;
  /** Resolves when a token can be had (the cached one, usually: no request to Basiq). For health checks. */
  checkAccess(): Promise<void>;
  /**
   * One cheap authenticated read (GET /events/types: a short fixed list) to prove Basiq answers, not only that a
   * token is cached. For health checks; lib/basiq/reachability.ts caches its verdict.
   */
  checkReachability(context?: CallContext): Promise<void>;
  /** The same client (same token cache, same lanes) with `lane` as the default for calls that name none. */
  inLane(lane: Lane): BasiqClient;
}

export interface WebhookInput {
  url: string;
  subscribedEvents: string[];
  name?: string;
  description?: string;
}

const MAX_FILTER_LENGTH = 1_000;

/** Items of a list that match `schema` (the rest are counted, for the log). */
function readItems<T>(items: readonly unknown[] | undefined, schema: z.ZodType<T>): { ok: T[]; skipped: number } {
  const ok: T[] = [];
  let skipped = 0;
  for (const item of items ?? []) {
    const parsed = schema.safeParse(item);
    if (parsed.success) ok.push(parsed.data);
    else skipped++;
  }
  return { ok, skipped };
}

export function createBasiqClient(options: BasiqClientOptions): BasiqClient {
  const {
    baseUrl,
    apiKey,
    interactiveMaxInFlight = 32,
    backgroundMaxInFlight = 10,
    timeoutMs = 10_000,
    retries = 2,
    tokenRefreshAgeMs = 30 * 60_000,
    tokenBlockingWindowMs = 60_000,
    maxRetryAfterMs = 60_000,
    maxPages: defaultMaxPages = 20,
    fetch = undiciFetch,
    now = Date.now,
    sleep = defaultSleep,
    random = Math.random,
  } = options;
  const logger = (options.logger ?? log).child({ component: "basiq" });
  if (!/^https?:\/\/[^/]+/.test(baseUrl))
    throw new TypeError("createBasiqClient: baseUrl must be an http(s) URL");
  if (!apiKey) throw new TypeError("createBasiqClient: apiKey is required");

  const lanes: Record<Lane, Limiter> = {
    interactive: new Limiter(interactiveMaxInFlight, routeCap(interactiveMaxInFlight)),
    background: new Limiter(backgroundMaxInFlight, routeCap(backgroundMaxInFlight)),
  };
  giveWayToInteractive(lanes.interactive, lanes.background);
  const gate = new PauseGate(now, sleep);
  const routeMetrics = new RouteMetricsRecorder();
  const transport = new Transport({
    baseUrl,
    apiKey,
    fetch,
    now,
    sleep,
    random,
    timeoutMs,
    retries,
    maxRetryAfterMs,
    tokenRefreshAgeMs,
    tokenBlockingWindowMs,
    lanes,
    gate,
    metrics: routeMetrics,
    logger,
  });

  const get = <T>(
    resolved: ResolvedRoute,
    schema: z.ZodType<T>,
    context?: CallContext,
    query?: CallSpec<T>["query"],
  ) => transport.call({ resolved, schema, context, query, idempotent: true });

  /**
   * `links.next` as a URL on *our* base URL. Only its path and query are used, and the path must be the
   * list's own, so a bad link can never send our bearer token to another host or another resource.
   */
  const followLink = (link: string, resolved: ResolvedRoute, from: "response" | "caller"): string => {
    const expected = new URL(transport.url(resolved.path));
    let target: URL | undefined;
    try {
      target = new URL(link, expected);
    } catch {
      target = undefined;
    }
    if (!target || target.pathname !== expected.pathname) {
      const where = { method: resolved.method, route: resolved.route };
      throw from === "caller"
        ? new BasiqInputError({ ...where, parameter: "next" })
        : new BasiqSchemaError({ ...where, path: "links.next", issue: "does not point to the same list" });
    }
    return `${expected.origin}${target.pathname}${target.search}`;
  };

  const checkFilter = (filter: unknown, resolved: ResolvedRoute) => {
    if (filter === undefined) return;
    if (typeof filter !== "string" || filter.length === 0 || filter.length > MAX_FILTER_LENGTH) {
      throw new BasiqInputError({ method: resolved.method, route: resolved.route, parameter: "filter" });
    }
  };

  /** Items a list left out (they break the contract where it matters: an id, a step list...): logged, once. */
  const reportSkipped = (resolved: ResolvedRoute, list: readonly unknown[] | undefined, context?: CallContext) => {
    const skipped = skippedItems(list);
    if (skipped.length === 0) return;
    logger.warn(
      {
        route: resolved.route,
        userId: resolved.params.userId ?? context?.userId,
        connectionId: resolved.params.connectionId ?? context?.connectionId,
        skipped: skipped.length,
        first: skipped.slice(0, 3),
      },
      "Basiq list items left out: they do not match the contract (the rest of the list is shown)",
    );
  };

  const connectionRoute = (method: "GET" | "DELETE", userId: string, connectionId: string) =>
    resolveRoute(method, "/users/{userId}/connections/{connectionId}", { userId, connectionId });

  const client: BasiqClient = {
    getUser: async (userId, context) =>
      get(resolveRoute("GET", "/users/{userId}", { userId }), userSchema, context),

    listConsents: async (userId, context) => {
      const resolved = resolveRoute("GET", "/users/{userId}/consents", { userId });
      const page = await get(resolved, consentListSchema, context);
      reportSkipped(resolved, page.data, context);
      return page.data;
    },

    revokeConsent: async (userId, consentId, context) => {
      const resolved = resolveRoute("DELETE", "/users/{userId}/consents/{consentId}", { userId, consentId });
      await transport.call({ resolved, schema: null, context, idempotent: false });
    },

    listConnections: async (userId, context) => {
      const resolved = resolveRoute("GET", "/users/{userId}/connections", { userId });
      const page = await get(resolved, connectionListSchema, context);
      reportSkipped(resolved, page.data, context);
      return page.data ?? [];
    },

    getConnection: async (userId, connectionId, context) => {
      const resolved = connectionRoute("GET", userId, connectionId);
      const connection = await get(resolved, connectionSchema, context);
      reportSkipped(resolved, connection.accounts?.data, context);
      return connection;
    },

    refreshConnection: async (userId, connectionId, context) => {
      const resolved = resolveRoute("POST", "/users/{userId}/connections/{connectionId}/refresh", {
        userId,
        connectionId,
      });
      let status = 0;
      const job = await transport.call({
        resolved,
        schema: jobReferenceSchema,
        context,
        idempotent: false,
        onSuccessStatus: (s) => (status = s),
      });
      return { jobId: job.id, jobLink: job.links.self, alreadyRunning: status === 200 };
    },

    purgeConnection: async (userId, connectionId, context) => {
      const resolved = resolveRoute("POST", "/users/{userId}/connections/{connectionId}/purge", {
        userId,
        connectionId,
      });
      await transport.call({ resolved, schema: null, context, idempotent: false });
    },

    deleteConnection: async (userId, connectionId, context) => {
      const resolved = connectionRoute("DELETE", userId, connectionId);
      await transport.call({ resolved, schema: null, context, idempotent: false });
    },

    listUserJobs: async (userId, options = {}) => {
      const { connectionId, maxPages = defaultMaxPages, ...context } = options;
      const resolved = resolveRoute("GET", "/users/{userId}/jobs", { userId });
      if (connectionId !== undefined) assertSafeId(connectionId, { ...resolved, parameter: "connectionId" });
      const filter = connectionId === undefined ? undefined : `connection.id.eq('${connectionId}')`;
      const callContext: CallContext = { ...context, connectionId };

      const jobs: Job[] = [];
      const seen = new Set<string>();
      let url: string | undefined;
      for (let page = 1; ; page++) {
        const result = await transport.call({
          resolved,
          schema: jobListSchema,
          context: callContext,
          query: { filter },
          url,
          idempotent: true,
        });
        reportSkipped(resolved, result.data, callContext);
        jobs.push(...result.data);
        const next = result.links.next;
        if (!next) return { jobs, truncated: false };
        url = followLink(next, resolved, "response");
        if (seen.has(url) || page >= maxPages) {
          // A repeating or endless `next` must not become an endless loop of Basiq calls.
          logger.warn(
            { route: resolved.route, userId, pages: page },
            "Basiq job list truncated at the page cap",
          );
          return { jobs, truncated: true };
        }
        seen.add(url);
      }
    },

    getJob: async (jobId, context) =>
      get(resolveRoute("GET", "/jobs/{jobId}", { jobId }), jobDetailSchema, context),

    listConnectors: async (options = {}) => {
      const { filter, ...context } = options;
      const resolved = resolveRoute("GET", "/connectors");
      checkFilter(filter, resolved);
      const page = await get(resolved, connectorListSchema, context, { filter });
      reportSkipped(resolved, page.data, context);
      return page.data;
    },

    getConnector: async (connectorId, method, context) => {
      const template = "/connectors/{connectorId}/{method}";
      const where = { method: "GET" as const, route: `GET ${template}` };
      assertMatches(connectorId, CONNECTOR_ID_PATTERN, { ...where, parameter: "connectorId" });
      assertMatches(method, CONNECTOR_METHODS, { ...where, parameter: "method" });
      return get(resolveRoute("GET", template, { connectorId, method }), connectorSchema, context);
    },

    listEvents: async (options = {}) => {
      const { filter, next, ...context } = options;
      const resolved = resolveRoute("GET", "/events");
      checkFilter(filter, resolved);
      const url = next === undefined ? undefined : followLink(next, resolved, "caller");
      const page = await transport.call({
        resolved,
        schema: eventListSchema,
        context,
        query: { filter },
        url,
        idempotent: true,
      });
      return { events: page.data ?? [], next: page.links?.next };
    },

    getEvent: async (eventId, context) =>
      get(resolveRoute("GET", "/events/{eventId}", { eventId }), eventSchema, context),

    listWebhooks: async (context) => {
      const resolved = resolveRoute("GET", "/notifications/webhooks");
      const page = await get(resolved, webhookListSchema, context);
      const { ok, skipped } = readItems(page.data, webhookSchema);
      if (skipped > 0) logger.warn({ route: resolved.route, skipped }, "Basiq webhooks left out: they do not match the contract");
      return ok;
    },

    saveWebhook: async ({ id, ...input }, context) => {
      const resolved =
        id === undefined
          ? resolveRoute("POST", "/notifications/webhooks")
          : resolveRoute("POST", "/notifications/webhooks/{webhookId}", { webhookId: id });
      return transport.call({ resolved, schema: webhookSchema, context, body: input, idempotent: false });
    },

    listWebhookMessages: async (webhookId, options = {}) => {
      const { limit = 100, ...context } = options;
      const resolved = resolveRoute("GET", "/notifications/webhooks/{webhookId}/messages", { webhookId });
      const page = await get(resolved, webhookMessageListSchema, context, { limit: String(Math.min(500, Math.max(1, limit))) });
      const { ok, skipped } = readItems(page.data, webhookMessageSchema);
      if (skipped > 0) logger.warn({ route: resolved.route, skipped }, "Basiq webhook messages left out: they do not match the contract");
      return ok;
    },

    sendTestWebhook: async (eventTypeId, context) => {
      const resolved = resolveRoute("POST", "/notifications/messages/test");
      await transport.call({ resolved, schema: null, context, body: { eventTypeId }, idempotent: false });
    },

    checkAccess: async () => {
      await transport.tokens.get();
    },

    checkReachability: async (context = {}) => {
      await transport.call({
        resolved: resolveRoute("GET", "/events/types"),
        schema: eventTypeListSchema,
        context,
        idempotent: true,
      });
    },

    metrics: () => {
      const { lastFailure, ...token } = transport.tokens.metrics();
      return {
        ...token,
        tokenFailure: lastFailure
          ? {
              at: lastFailure.at,
              status: isBasiqError(lastFailure.error) ? (lastFailure.error.status ?? null) : null,
              keyRefused: isBasiqKeyRefused(lastFailure.error),
            }
          : null,
        unauthorizedRetries: routeMetrics.unauthorizedRetries,
        byRoute: routeMetrics.snapshot(),
        inFlight: lanes.interactive.inFlight + lanes.background.inFlight,
        queued: lanes.interactive.queued + lanes.background.queued,
        lanes: Object.fromEntries(
          LANES.map((lane) => {
            const l = lanes[lane];
            const m: LaneMetrics = {
              max: l.max,
              capacity: l.capacity,
              routeMax: l.keyMax,
              inFlight: l.inFlight,
              queued: l.queued,
              inFlightByRoute: l.inFlightByKey(),
              busyMs: Math.round(l.busyMs),
            };
            return [lane, m];
          }),
        ) as Record<Lane, LaneMetrics>,
        pausedForMs: gate.remainingMs(),
        reachability: routeMetrics.reachability(),
      };
    },

    inLane: (lane) => inLane(client, lane),
  };
  return client;
}

/** A view of `client` whose calls default to `lane` (a call's own `lane` still wins). */
function inLane(client: BasiqClient, lane: Lane): BasiqClient {
  const ctx = <C extends CallContext>(context?: C) => ({ ...context, lane: context?.lane ?? lane }) as C;
  const view: BasiqClient = {
    getUser: (userId, context) => client.getUser(userId, ctx(context)),
    listConnections: (userId, context) => client.listConnections(userId, ctx(context)),
    listConsents: (userId, context) => client.listConsents(userId, ctx(context)),
    revokeConsent: (userId, consentId, context) => client.revokeConsent(userId, consentId, ctx(context)),
    getConnection: (userId, connectionId, context) =>
      client.getConnection(userId, connectionId, ctx(context)),
    refreshConnection: (userId, connectionId, context) =>
      client.refreshConnection(userId, connectionId, ctx(context)),
    purgeConnection: (userId, connectionId, context) =>
      client.purgeConnection(userId, connectionId, ctx(context)),
    deleteConnection: (userId, connectionId, context) =>
      client.deleteConnection(userId, connectionId, ctx(context)),
    listUserJobs: (userId, options) => client.listUserJobs(userId, ctx(options)),
    getJob: (jobId, context) => client.getJob(jobId, ctx(context)),
    listConnectors: (options) => client.listConnectors(ctx(options)),
    getConnector: (connectorId, method, context) => client.getConnector(connectorId, method, ctx(context)),
    listEvents: (options) => client.listEvents(ctx(options)),
    getEvent: (eventId, context) => client.getEvent(eventId, ctx(context)),
    listWebhooks: (context) => client.listWebhooks(ctx(context)),
    saveWebhook: (input, context) => client.saveWebhook(input, ctx(context)),
    listWebhookMessages: (webhookId, options) => client.listWebhookMessages(webhookId, ctx(options)),
    sendTestWebhook: (eventTypeId, context) => client.sendTestWebhook(eventTypeId, ctx(context)),
    metrics: () => client.metrics(),
    checkAccess: () => client.checkAccess(),
    checkReachability: (context) => client.checkReachability(ctx(context)),
    inLane: (other) => inLane(client, other),
  };
  return view;
}
