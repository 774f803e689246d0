// The Basiq routes the sandbox serves, keyed by the spec's path templates ("GET /users/{userId}/connections").
// Handlers are synchronous and pure apart from the SandboxState they are given: the server does transport,
// auth, faults and counting around them.
import type { IncomingHttpHeaders } from "node:http";

import {
  CONNECTORS,
  CONNECTOR_METHODS,
  findConnector,
  requireInstitution,
  type ConnectorMethod,
  type ConnectorSpec,
} from "./catalogue";
import { type Dataset, type SeedConnection, type SeedJob, type SeedUser } from "./data";
import {
  apiKeyRefused,
  forbiddenAccess,
  notFound,
  parameterNotSupplied,
  parameterNotValid,
} from "./errors";
import {
  EVENT_RETENTION_MS,
  EVENT_TYPES,
  compareEvents,
  decodeCursor,
  encodeCursor,
  indexAfter,
  indexOlderThan,
  type EventRecord,
} from "./events";
import { requireFailure } from "./failures";
import { applyFilter, parseFilter, type FilterField, type FilterStatement } from "./filters";
import {
  OPEN_BANKING_REFRESH_LIMIT,
  REFRESH_WINDOW_MS,
  isJobRunning,
  materialiseJob,
  type ConnectionView,
  type SandboxState,
} from "./state";
import { type TokenStore } from "./tokens";
import {
  normaliseMethod,
  presentConnection,
  presentConnectionSummary,
  presentConnector,
  presentEvent,
  presentJob,
  presentJobReference,
  presentUser,
  type JobOwner,
} from "./wire";

export interface RouteContext {
  dataset: Dataset;
  state: SandboxState;
  tokens: TokenStore;
  apiKey: string;
  tokenTtlSeconds: number;
  /** The sandbox's own origin, for links. */
  baseUrl: string;
  now: () => number;
  /** Seeded events of the last 8 days, newest first (computed once, in the background from start-up). */
  seededEvents: () => Promise<readonly EventRecord[]>;
}

export interface RouteRequest {
  params: Readonly<Record<string, string>>;
  query: URLSearchParams;
  headers: IncomingHttpHeaders;
  body: string;
  /** Path and query as requested, for `links.self`. */
  pathAndQuery: string;
}

export interface RouteReply {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
}

type Method = "GET" | "POST" | "DELETE";

export interface RouteDefinition {
  method: Method;
  template: string;
  /** `METHOD template`: the stats key and the fault route name. */
  key: string;
  /** "basic" is POST /token (API key); everything else needs a bearer token. */
  auth: "basic" | "bearer";
  handle: (context: RouteContext, request: RouteRequest) => RouteReply | Promise<RouteReply>;
}

const route = (
  method: Method,
  template: string,
  handle: RouteDefinition["handle"],
  auth: RouteDefinition["auth"] = "bearer",
): RouteDefinition => ({
  method,
  template,
  key: `${method} ${template}`,
  auth,
  handle,
});

export const BASIQ_ROUTES: readonly RouteDefinition[] = [
  route("POST", "/token", issueToken, "basic"),
  route("GET", "/users/{userId}", getUser),
  route("GET", "/users/{userId}/connections", listConnections),
  route("GET", "/users/{userId}/connections/{connectionId}", getConnection),
  route("DELETE", "/users/{userId}/connections/{connectionId}", deleteConnection),
  route("POST", "/users/{userId}/connections/{connectionId}/refresh", refreshConnection),
  route("POST", "/users/{userId}/connections/{connectionId}/purge", purgeConnection),
  route("GET", "/users/{userId}/jobs", listJobs),
  route("GET", "/jobs/{jobId}", getJob),
  route("GET", "/connectors", listConnectors),
  route("GET", "/connectors/{connectorId}/{method}", getConnector),
  route("GET", "/events", listEvents),
  route("GET", "/events/types", listEventTypes),
];

export const BASIQ_ROUTE_KEYS: readonly string[] = BASIQ_ROUTES.map((definition) => definition.key);

const compiled = BASIQ_ROUTES.map((definition) => {
  const names: string[] = [];
  const source = definition.template.replace(/\{(\w+)\}/g, (_, name: string) => {
    names.push(name);
    return "([^/]+)";
  });
  return { definition, names, pattern: new RegExp(`^${source}/?$`) };
});

export interface RouteMatch {
  definition: RouteDefinition;
  params: Record<string, string>;
}

export function matchRoute(method: string, pathname: string): RouteMatch | undefined {
  for (const { definition, names, pattern } of compiled) {
    if (definition.method !== method) continue;
    const match = pattern.exec(pathname);
    if (!match) continue;
    const params: Record<string, string> = {};
    names.forEach((name, i) => {
      params[name] = safeDecode(match[i + 1] ?? "");
    });
    return { definition, params };
  }
  return undefined;
}

function safeDecode(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}

function param(request: RouteRequest, name: string): string {
  const value = request.params[name];
  if (value === undefined || value === "") throw parameterNotSupplied(name);
  return value;
}

function filterStatements(request: RouteRequest): FilterStatement[] {
  const raw = request.query.get("filter");
  return raw === null ? [] : parseFilter(raw);
}

const selfLinks = (context: RouteContext, request: RouteRequest) => ({
  self: `${context.baseUrl}${request.pathAndQuery}`,
});

// ---------------------------------------------------------------------------------------------------------
// POST /token

function issueToken(context: RouteContext, request: RouteRequest): RouteReply {
  const authorization = request.headers.authorization;
  // Like Basiq: a missing, wrong or deleted key is a 404 "Unable to authenticate. Please, check your API key".
  // The key is sent as issued (already encoded): compare it as a string, never base64-decode it.
  if (!authorization?.startsWith("Basic ") || authorization.slice("Basic ".length) !== context.apiKey) {
    throw apiKeyRefused();
  }
  const version = request.headers["basiq-version"];
  if (version === undefined || version === "")
    throw parameterNotSupplied("basiq-version", "The basiq-version header is required.");
  if (version !== "3.0")
    throw parameterNotValid(
      "basiq-version",
      `basiq-version ${String(version)} is not supported by the sandbox; use 3.0.`,
    );
  const form = new URLSearchParams(request.body);
  const scope = form.get("scope");
  if (!scope) throw parameterNotSupplied("scope");
  if (scope === "CLIENT_ACCESS")
    throw parameterNotValid("scope", "The sandbox issues SERVER_ACCESS tokens only.");
  if (scope !== "SERVER_ACCESS")
    throw parameterNotValid("scope", "scope must be SERVER_ACCESS or CLIENT_ACCESS.");
  const accessToken = context.tokens.issue(context.tokenTtlSeconds, context.now());
  return {
    status: 200,
    body: { access_token: accessToken, token_type: "Bearer", expires_in: context.tokenTtlSeconds },
  };
}

// ---------------------------------------------------------------------------------------------------------
// Users and connections

function requireUser(context: RouteContext, request: RouteRequest): SeedUser {
  const id = param(request, "userId");
  const user = context.dataset.findUser(id);
  if (!user) throw notFound(`User ${id} was not found.`);
  return user;
}

/** The connection, if it exists, belongs to this user and is not deleted; otherwise 404. */
function requireConnection(
  context: RouteContext,
  request: RouteRequest,
): { user: SeedUser; view: ConnectionView } {
  const user = requireUser(context, request);
  const id = param(request, "connectionId");
  const address = context.dataset.address(id);
  const connection =
    address?.kind === "connection" && address.user === user.index
      ? user.connections[address.connection]
      : undefined;
  const view = connection ? context.state.viewConnection(connection, context.now()) : undefined;
  if (!view) throw notFound(`Connection ${id} was not found for this user.`);
  return { user, view };
}

function getUser(context: RouteContext, request: RouteRequest): RouteReply {
  const user = requireUser(context, request);
  const views = context.state.viewConnections(user, context.now());
  return { status: 200, body: presentUser(user, views, context.baseUrl) };
}

const CONNECTION_FILTER_FIELDS: Record<string, FilterField<ConnectionView>> = {};
for (const prefix of ["", "connection."]) {
  CONNECTION_FILTER_FIELDS[`${prefix}id`] = { read: (view) => view.connection.id };
  CONNECTION_FILTER_FIELDS[`${prefix}status`] = { read: (view) => view.connection.status };
  CONNECTION_FILTER_FIELDS[`${prefix}method`] = { read: (view) => view.connection.method };
  CONNECTION_FILTER_FIELDS[`${prefix}institution.id`] = { read: (view) => view.connection.institutionId };
}

function listConnections(context: RouteContext, request: RouteRequest): RouteReply {
  const user = requireUser(context, request);
  const views = applyFilter(
    context.state.viewConnections(user, context.now()),
    filterStatements(request),
    CONNECTION_FILTER_FIELDS,
  );
  return {
    status: 200,
    body: {
      type: "list",
      data: views.map((view) => presentConnectionSummary(user, view, context.baseUrl)),
      links: selfLinks(context, request),
    },
  };
}

function getConnection(context: RouteContext, request: RouteRequest): RouteReply {
  const { user, view } = requireConnection(context, request);
  return { status: 200, body: presentConnection(user, view, context.baseUrl) };
}

function deleteConnection(context: RouteContext, request: RouteRequest): RouteReply {
  const { user, view } = requireConnection(context, request);
  context.state.deleteConnection(user, view.connection, context.now());
  return { status: 204 };
}

function refreshConnection(context: RouteContext, request: RouteRequest): RouteReply {
  const { view } = requireConnection(context, request);
  const { connection } = view;
  const now = context.now();
  if (connection.method === "csv" || connection.method === "pdf") {
    // A sandbox choice: a statement upload has no bank session to refresh.
    throw parameterNotValid(
      "connectionId",
      "Connections created from uploaded statements cannot be refreshed; upload a new statement.",
    );
  }
  // Basiq (data-connections): a refresh while a job is queued or running answers 200 with that job, starting
  // nothing. The spec documents only 202 for success; see README "Where the spec is inconsistent".
  const running = view.jobs.find(isJobRunning);
  if (running) return { status: 200, body: presentJobReference(running.id, context.baseUrl) };
  if (connection.method === "openbanking") {
    const recent = context.state.jobsInWindow(view, now);
    const oldest = recent[0];
    if (recent.length >= OPEN_BANKING_REFRESH_LIMIT && oldest) {
      const retryAfter = Math.max(1, Math.ceil((oldest.created + REFRESH_WINDOW_MS - now) / 1000));
      // A sandbox choice among the refusals the spec documents for this operation (400/403/404/500/503; no
      // 429): 403 forbidden-access, as Basiq says rate-limited callers "may see ... 429 or 403".
      throw forbiddenAccess(
        `Open banking connections can be refreshed at most ${OPEN_BANKING_REFRESH_LIMIT} times in 24 hours; ` +
          `this one has been refreshed ${recent.length} times. The next refresh is possible in ${retryAfter} seconds.`,
        "connectionId",
      );
    }
  }
  const job = context.state.startRefresh(connection, now, refreshFailure(connection));
  return { status: 202, body: presentJobReference(job.id, context.baseUrl) };
}

/** Refreshing an invalid connection fails on verify-credentials the way it failed last time. */
function refreshFailure(connection: SeedConnection) {
  if (connection.status !== "invalid") return null;
  for (const job of [...connection.jobs].reverse()) {
    const failure = job.steps.find((step) => step.failure?.invalidatesConnection)?.failure;
    if (failure) return failure;
  }
  return requireFailure(connection.method === "openbanking" ? "invalid-connection" : "invalid-credentials");
}

function purgeConnection(context: RouteContext, request: RouteRequest): RouteReply {
  const { view } = requireConnection(context, request);
  if (view.connection.status !== "active") {
    // "Purging is only applicable for active user connections." (data.json, purge description)
    throw parameterNotValid(
      "connectionId",
      `Purging is only applicable for active user connections; this connection is ${view.connection.status}.`,
    );
  }
  context.state.purge(view.connection.id, context.now());
  return { status: 204 };
}

// ---------------------------------------------------------------------------------------------------------
// Jobs

interface OwnedJob {
  job: SeedJob;
  owner: JobOwner;
}

const JOB_FILTER_FIELDS: Record<string, FilterField<OwnedJob>> = {
  "connection.id": { read: (entry) => entry.owner.connectionId },
  "institution.id": { read: (entry) => entry.owner.institutionId },
  "job.id": { read: (entry) => entry.job.id },
};

const ownerOf = (user: SeedUser, connection: SeedConnection): JobOwner => ({
  userId: user.id,
  connectionId: connection.id,
  institutionId: connection.institutionId,
});

function listJobs(context: RouteContext, request: RouteRequest): RouteReply {
  const user = requireUser(context, request);
  const statements = filterStatements(request);
  // Jobs of deleted connections go with them.
  const entries = context.state
    .viewConnections(user, context.now())
    .flatMap((view) => view.jobs.map((job) => ({ job, owner: ownerOf(user, view.connection) })));
  const jobs = [...applyFilter(entries, statements, JOB_FILTER_FIELDS)].sort(
    (a, b) => b.job.created - a.job.created,
  );
  return {
    status: 200,
    body: {
      type: "list",
      size: jobs.length,
      data: jobs.map(({ job, owner }) => presentJob(job, owner, context.baseUrl)),
      links: selfLinks(context, request),
    },
  };
}

function getJob(context: RouteContext, request: RouteRequest): RouteReply {
  const id = param(request, "jobId");
  const missing = notFound(`Job ${id} was not found.`);
  const address = context.dataset.address(id);
  if (address?.kind !== "job" || address.user >= context.dataset.userCount) throw missing;
  const user = context.dataset.user(address.user);
  const connection = user.connections[address.connection];
  if (!connection || context.state.isDeleted(connection.id)) throw missing;
  const runtime = context.state.runtimeJob(id);
  const job = runtime ? materialiseJob(runtime, context.now()) : connection.jobs[address.item];
  if (!job || job.id !== id) throw missing;
  return { status: 200, body: presentJob(job, ownerOf(user, connection), context.baseUrl) };
}

// ---------------------------------------------------------------------------------------------------------
// Connectors

const CONNECTOR_FILTER_FIELDS: Record<string, FilterField<ConnectorSpec>> = {
  "connector.id": { read: (c) => c.institutionId },
  "connector.method": { read: (c) => c.method },
  "connector.status": { read: (c) => c.status },
  "connector.stage": { read: (c) => c.stage },
  "connector.authorization.type": { read: (c) => c.authorization },
  "connector.institution.tier": { read: (c) => requireInstitution(c.institutionId).tier },
  "connector.institution.type": { read: (c) => requireInstitution(c.institutionId).type },
  "connector.institution.country": { read: () => "Australia" },
};

function listConnectors(context: RouteContext, request: RouteRequest): RouteReply {
  // The spec's filter description spells the method "open-banking"; the connector enum says "openbanking".
  const statements = filterStatements(request).map((statement) =>
    statement.field === "connector.method"
      ? { ...statement, values: statement.values.map(normaliseMethod) }
      : statement,
  );
  const connectors = applyFilter(
    CONNECTORS.map((spec) => context.state.connector(spec.institutionId, spec.method)),
    statements,
    CONNECTOR_FILTER_FIELDS,
  );
  return {
    status: 200,
    body: {
      type: "list",
      totalCount: connectors.length,
      data: connectors.map((connector) => presentConnector(connector, context.baseUrl)),
      links: selfLinks(context, request),
    },
  };
}

function getConnector(context: RouteContext, request: RouteRequest): RouteReply {
  const connectorId = param(request, "connectorId");
  const method = normaliseMethod(param(request, "method"));
  if (!/^[A-Z]{2}[0-9]{5}$/.test(connectorId)) {
    throw parameterNotValid("connectorId", `Connector ID ${connectorId} does not match ^[A-Z]{2}[0-9]{5}$.`);
  }
  if (!(CONNECTOR_METHODS as readonly string[]).includes(method)) {
    throw parameterNotValid("method", `Connector method must be one of ${CONNECTOR_METHODS.join(", ")}.`);
  }
  if (!findConnector(connectorId, method))
    throw notFound(`Connector ${connectorId}/${method} was not found.`);
  const connector = context.state.connector(connectorId, method as ConnectorMethod);
  return { status: 200, body: presentConnector(connector, context.baseUrl) };
}

// ---------------------------------------------------------------------------------------------------------
// Events

const DEFAULT_EVENT_PAGE = 100;
const MAX_EVENT_PAGE = 500;

function eventFilterFields(dataset: Dataset): Record<string, FilterField<EventRecord>> {
  const createdDate: FilterField<EventRecord> = {
    read: (event) => new Date(event.at).toISOString(),
    kind: "date",
  };
  return {
    "event.type": { read: (event) => event.type },
    "event.entity": { read: (event) => event.type.split(".")[0] ?? "" },
    "user.id": { read: (event) => dataset.userId(event.userIndex) },
    "event.createdDate": createdDate,
    createdDate,
  };
}

/** The event types a webhook can subscribe to: a small fixed list (the console's health probe reads it). */
function listEventTypes(context: RouteContext, request: RouteRequest): RouteReply {
  return {
    status: 200,
    body: {
      type: "list",
      count: EVENT_TYPES.length,
      size: EVENT_TYPES.length,
      data: EVENT_TYPES.map((id) => ({
        type: "eventType",
        id,
        description: `when ${id.replace(".", " is ")}`,
        links: { self: `${context.baseUrl}/events/types/${id}` },
      })),
      links: selfLinks(context, request),
    },
  };
}

async function listEvents(context: RouteContext, request: RouteRequest): Promise<RouteReply> {
  const limitText = request.query.get("limit");
  const limit = limitText === null ? DEFAULT_EVENT_PAGE : Number(limitText);
  if (!Number.isInteger(limit) || limit < 1 || limit > MAX_EVENT_PAGE) {
    throw parameterNotValid("limit", `limit must be an integer from 1 to ${MAX_EVENT_PAGE}.`);
  }
  const nextText = request.query.get("next");
  const cursor = nextText === null ? undefined : decodeCursor(nextText);
  if (nextText !== null && !cursor)
    throw parameterNotValid("next", "The next cursor is not valid; follow links.next as given.");
  const statements = filterStatements(request);

  // Every list here stays sorted newest first, so the retention window and the cursor are binary searches.
  const seeded = await context.seededEvents();
  const runtime = context.state.events();
  const all = runtime.length === 0 ? seeded : [...seeded, ...runtime].sort(compareEvents);
  const retained = all.slice(0, indexOlderThan(all, context.now() - EVENT_RETENTION_MS));
  const matching = applyFilter(retained, statements, eventFilterFields(context.dataset));
  const start = cursor ? indexAfter(matching, cursor) : 0;
  const page = matching.slice(start, start + limit);
  const last = page[page.length - 1];

  const links: { self: string; next?: string } = selfLinks(context, request);
  if (matching.length > start + limit && last) {
    const next = new URLSearchParams();
    const filter = request.query.get("filter");
    if (filter !== null) next.set("filter", filter);
    next.set("limit", String(limit));
    next.set("next", encodeCursor(last));
    links.next = `${context.baseUrl}/events?${next.toString()}`;
  }
  return {
    status: 200,
    body: {
      type: "list",
      data: page.map((event) => presentEvent(context.dataset, event, context.baseUrl)),
      links,
    },
  };
}
