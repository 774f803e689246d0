// Control endpoints under /__sandbox/ (no auth): counters, metrics, the tokens issued so far, the list of user ids that stands in for a
// partner's own records, fault injection and reset. Answers are plain JSON, not Basiq-shaped.
import { z } from "zod";

import { findConnector } from "./catalogue";
import { type Dataset } from "./data";
import { type FaultRegistry, faultInputSchema, isRouteFault } from "./faults";
import { type SandboxState } from "./state";
import { type TokenStore } from "./tokens";
import { requireFailure, type JobFailureCode } from "./failures";
import { type WebhookDispatcher } from "./webhooks";

export interface Counters {
  stats: Map<string, number>;
  /** The same requests keyed by `METHOD /actual/path` (no query): who was asked, not just which route. */
  requests: Map<string, number>;
  inFlight: number;
  maxInFlight: number;
  /** The last REQUEST_LOG_LIMIT Basiq-route requests with when each arrived and when its answer ended (epoch ms). */
  log: RequestLogEntry[];
}

export interface RequestLogEntry {
  /** `METHOD /actual/path` (no query). */
  request: string;
  /** The route's {userId}, when it has one. */
  userId: string | null;
  start: number;
  /** null while the answer is still open. */
  end: number | null;
}

export const REQUEST_LOG_LIMIT = 5000;

export interface ControlTarget {
  dataset: Dataset;
  state: SandboxState;
  tokens: TokenStore;
  faults: FaultRegistry;
  counters: Counters;
  webhooks: WebhookDispatcher;
  now: () => number;
}

export interface ControlReply {
  status: number;
  body: unknown;
}

const MAX_USER_PAGE = 100_000;

const usersQuerySchema = z.object({
  offset: z.coerce.number().int().min(0).default(0),
  limit: z.coerce.number().int().min(1).max(MAX_USER_PAGE).default(1000),
});

const badRequest = (error: string, issues?: unknown): ControlReply => ({
  status: 400,
  body: { ok: false, error, issues },
});

export function handleControl(
  target: ControlTarget,
  method: string,
  pathname: string,
  query: URLSearchParams,
  body: string,
): ControlReply {
  const endpoint = `${method} ${pathname.replace(/\/+$/, "")}`;
  switch (endpoint) {
    case "GET /__sandbox/stats":
      return { status: 200, body: Object.fromEntries(target.counters.stats) };
    case "GET /__sandbox/requests":
      return { status: 200, body: Object.fromEntries(target.counters.requests) };
    case "GET /__sandbox/requests/log": {
      // ?userId= keeps one user's requests (parallel tests each watch their own user).
      const userId = query.get("userId");
      return { status: 200, body: target.counters.log.filter((e) => !userId || e.userId === userId) };
    }
    case "GET /__sandbox/metrics":
      return {
        status: 200,
        body: {
          inFlight: target.counters.inFlight,
          maxInFlight: target.counters.maxInFlight,
          tokensIssued: target.tokens.issued,
          activeTokens: target.tokens.active(target.now()),
        },
      };
    case "GET /__sandbox/tokens": {
      // The sandbox is a test double: its tokens are worthless outside it, and leak tests need them verbatim.
      const { tokens, dropped } = target.tokens.everIssued();
      return { status: 200, body: { count: tokens.length, dropped, tokens } };
    }
    case "GET /__sandbox/users":
      return listUsers(target, query);
    case "GET /__sandbox/personas":
      return { status: 200, body: target.dataset.personas() };
    case "GET /__sandbox/faults":
      return { status: 200, body: target.faults.list() };
    case "POST /__sandbox/faults":
      return addFault(target, body);
    case "DELETE /__sandbox/faults": {
      const cleared = target.faults.list().length;
      target.faults.clear();
      return { status: 200, body: { ok: true, cleared } };
    }
    case "POST /__sandbox/clock":
      return advanceClock(target, body);
    case "POST /__sandbox/connections/invalidate":
      return invalidateConnection(target, body);
    case "POST /__sandbox/webhooks/secret":
      return setWebhookSecret(target, body);
    case "GET /__sandbox/webhooks":
      return {
        status: 200,
        body: target.webhooks.list().map((s) => ({
          ...target.webhooks.presentSubscription(s, false),
          messages: target.webhooks.messagesOf(s.id, 100).map((m) => target.webhooks.presentMessage(m)),
        })),
      };
    case "POST /__sandbox/reset":
      reset(target);
      return { status: 200, body: { ok: true } };
    default:
      return {
        status: 404,
        body: {
          ok: false,
          error: `No control endpoint ${endpoint}. Known: GET stats, GET requests, GET requests/log, GET metrics, GET tokens, GET users, GET personas, GET|POST|DELETE faults, POST clock, POST connections/invalidate, POST webhooks/secret, GET webhooks, POST reset (all under /__sandbox/).`,
        },
      };
  }
}

function listUsers(target: ControlTarget, query: URLSearchParams): ControlReply {
  const parsed = usersQuerySchema.safeParse(Object.fromEntries(query));
  if (!parsed.success)
    return badRequest(
      `offset must be >= 0 and limit 1..${MAX_USER_PAGE}`,
      z.flattenError(parsed.error).fieldErrors,
    );
  const { offset, limit } = parsed.data;
  const total = target.dataset.userCount;
  const ids: string[] = [];
  for (let index = offset; index < Math.min(total, offset + limit); index++)
    ids.push(target.dataset.userId(index));
  return { status: 200, body: { total, ids } };
}

function addFault(target: ControlTarget, body: string): ControlReply {
  let json: unknown;
  try {
    json = JSON.parse(body);
  } catch {
    return badRequest('The body must be JSON, e.g. {"kind":"status","route":"GET /connectors","status":503}');
  }
  const parsed = faultInputSchema.safeParse(json);
  if (!parsed.success) return badRequest("Invalid fault", parsed.error.issues);
  const fault = parsed.data;
  if (isRouteFault(fault)) return { status: 200, body: { ok: true, id: target.faults.add(fault) } };
  if (fault.kind === "revoke-tokens") {
    target.tokens.revokeAll();
    return { status: 200, body: { ok: true, id: target.faults.newId() } };
  }
  if (!findConnector(fault.connectorId, fault.method)) {
    return badRequest(`No connector ${fault.connectorId}/${fault.method}; GET /connectors lists them.`);
  }
  target.state.setConnectorStatus(fault.connectorId, fault.method, fault.status);
  return { status: 200, body: { ok: true, id: target.faults.newId() } };
}

const clockSchema = z.strictObject({ advanceSeconds: z.number().int().min(1).max(30 * 86_400) });

/** Moves the clock of the Basiq routes forward: running jobs finish, refresh windows pass. reset() undoes it. */
function advanceClock(target: ControlTarget, body: string): ControlReply {
  let json: unknown;
  try {
    json = JSON.parse(body);
  } catch {
    return badRequest('The body must be JSON, e.g. {"advanceSeconds":5}');
  }
  const parsed = clockSchema.safeParse(json);
  if (!parsed.success) return badRequest("advanceSeconds must be an integer 1..2592000", parsed.error.issues);
  target.state.advanceClock(parsed.data.advanceSeconds * 1000);
  return { status: 200, body: { ok: true, offsetSeconds: target.state.clockOffsetMs / 1000 } };
}

const invalidateSchema = z.strictObject({
  userId: z.string().min(1).max(128),
  connectionId: z.string().min(1).max(128),
  code: z.string().min(1).max(64).optional(),
});

/**
 * The bank refuses a connection's credentials now: a job that failed on its first step, the connection `invalid`,
 * and a `connection.invalidated` event (in GET /events and delivered to the webhooks).
 */
function invalidateConnection(target: ControlTarget, body: string): ControlReply {
  let json: unknown;
  try {
    json = JSON.parse(body);
  } catch {
    return badRequest('The body must be JSON, e.g. {"userId":"…","connectionId":"…"}');
  }
  const parsed = invalidateSchema.safeParse(json);
  if (!parsed.success) return badRequest("userId and connectionId are required", parsed.error.issues);
  const user = target.dataset.findUser(parsed.data.userId);
  const address = target.dataset.address(parsed.data.connectionId);
  const connection = user && address?.kind === "connection" && address.user === user.index ? user.connections[address.connection] : undefined;
  if (!user || !connection) return { status: 404, body: { ok: false, error: "No such connection for this user." } };
  const code = parsed.data.code ?? (connection.method === "openbanking" ? "invalid-connection" : "invalid-credentials");
  let failure;
  try {
    failure = requireFailure(code as JobFailureCode);
  } catch {
    return badRequest(`Unknown job failure code ${code}`);
  }
  const job = target.state.invalidateConnection(user, connection, target.now() + target.state.clockOffsetMs, failure);
  return { status: 200, body: { ok: true, jobId: job.id } };
}

function setWebhookSecret(target: ControlTarget, body: string): ControlReply {
  let secret: unknown;
  try {
    secret = (JSON.parse(body) as { secret?: unknown } | null)?.secret;
  } catch {
    secret = undefined;
  }
  if (typeof secret !== "string" || !/^whsec_[A-Za-z0-9+/]+={0,2}$/.test(secret)) return badRequest('The body must be {"secret":"whsec_…"}');
  target.webhooks.setSecret(secret);
  return { status: 200, body: { ok: true } };
}

/** Forget every counter, fault, token and mutation. Requests still in flight keep counting toward inFlight. */
function reset(target: ControlTarget): void {
  target.counters.stats.clear();
  target.counters.requests.clear();
  target.counters.log.length = 0;
  target.counters.maxInFlight = target.counters.inFlight;
  target.tokens.reset();
  target.faults.clear();
  target.state.reset();
  target.webhooks.reset();
}
