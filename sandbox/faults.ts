// Fault injection for POST /__sandbox/faults. Route faults (status, latency, hang, network, malformed,
// token-expired) apply
// to the next `count` matching Basiq-route requests (or until cleared); actions (revoke-tokens,
// connector-status) take effect once, immediately.
//
// When several route faults match one request, every matching latency fault adds its delay, then the oldest
// matching terminal fault (status, hang, network, malformed, token-expired) decides the answer. Only faults that took
// effect use up their count.
import { z } from "zod";

import { CONNECTOR_METHODS, CONNECTOR_STATUSES } from "./catalogue";
import { BASIQ_ROUTE_KEYS } from "./routes";

const WILDCARD_ROUTES = ["*", "GET *", "POST *", "DELETE *"] as const;

const routeSchema = z
  .string()
  .refine(
    (route) => (WILDCARD_ROUTES as readonly string[]).includes(route) || BASIQ_ROUTE_KEYS.includes(route),
    {
      message: `route must be "*", "GET *", "POST *", "DELETE *" or one of: ${BASIQ_ROUTE_KEYS.join(", ")}`,
    },
  );
const countSchema = z.number().int().min(1).optional();
/** Only requests for this Basiq user (the route's {userId}): lets parallel tests fault their own user alone. */
const userIdSchema = z.string().min(1).max(64).optional();

export const faultInputSchema = z.discriminatedUnion("kind", [
  z.strictObject({
    kind: z.literal("status"),
    route: routeSchema,
    status: z.number().int().min(400).max(599),
    /** Seconds, sent as the Retry-After header. */
    retryAfter: z.number().int().min(0).max(86_400).optional(),
    count: countSchema,
    userId: userIdSchema,
  }),
  z.strictObject({
    kind: z.literal("latency"),
    route: routeSchema,
    ms: z.number().int().min(0).max(600_000),
    count: countSchema,
    userId: userIdSchema,
  }),
  z.strictObject({ kind: z.literal("hang"), route: routeSchema, count: countSchema, userId: userIdSchema }),
  z.strictObject({ kind: z.literal("network"), route: routeSchema, count: countSchema, userId: userIdSchema }),
  z.strictObject({ kind: z.literal("malformed"), route: routeSchema, count: countSchema, userId: userIdSchema }),
  /** Basiq's `403 "Token has expired"` on a bearer route: a client must get one new token and retry. */
  z.strictObject({ kind: z.literal("token-expired"), route: routeSchema, count: countSchema, userId: userIdSchema }),
  z.strictObject({ kind: z.literal("revoke-tokens") }),
  z.strictObject({
    kind: z.literal("connector-status"),
    connectorId: z.string().regex(/^[A-Z]{2}[0-9]{5}$/, "connectorId must look like AU00000"),
    method: z.enum(CONNECTOR_METHODS),
    status: z.enum(CONNECTOR_STATUSES),
  }),
]);
export type FaultInput = z.infer<typeof faultInputSchema>;

export type RouteFaultInput = Extract<FaultInput, { route: string }>;
export type TerminalFault = Extract<
  RouteFaultInput,
  { kind: "status" | "hang" | "network" | "malformed" | "token-expired" }
>;

export interface ActiveFault {
  id: string;
  fault: RouteFaultInput;
  /** Requests it still applies to; null = until cleared. */
  remaining: number | null;
}

export interface FaultDecision {
  latencyMs: number;
  terminal: (TerminalFault & { id: string }) | null;
}

export function isRouteFault(input: FaultInput): input is RouteFaultInput {
  return "route" in input;
}

export function routeMatches(pattern: string, routeKey: string): boolean {
  if (pattern === "*") return true;
  if (pattern.endsWith(" *")) return routeKey.startsWith(pattern.slice(0, -1));
  return pattern === routeKey;
}

/**
 * The body a `malformed` fault sends with a 200: valid JSON that breaks every 200 schema the sandbox serves
 * (`type` must be a string everywhere; required fields such as `id`, `data`, `access_token` are missing).
 */
export const MALFORMED_BODY = { type: 42, correlationId: null, data: "sandbox-malformed-response" } as const;

export class FaultRegistry {
  private faults: ActiveFault[] = [];
  private nextId = 1;

  /** Returns the id of the new fault, e.g. "fault-3". */
  add(fault: RouteFaultInput): string {
    const id = this.newId();
    this.faults.push({ id, fault, remaining: fault.count ?? null });
    return id;
  }

  /** An id for an action that has no lasting fault (revoke-tokens, connector-status). */
  newId(): string {
    return `fault-${this.nextId++}`;
  }

  list(): readonly ActiveFault[] {
    return this.faults;
  }

  clear(): void {
    this.faults = [];
  }

  /** Decide what the faults do to one request on `routeKey`, using up the counts of those that apply. */
  take(routeKey: string, params: Readonly<Record<string, string>> = {}): FaultDecision {
    let latencyMs = 0;
    let terminal: FaultDecision["terminal"] = null;
    for (const active of this.faults) {
      if (!routeMatches(active.fault.route, routeKey)) continue;
      if (active.fault.userId !== undefined && active.fault.userId !== params.userId) continue;
      if (active.fault.kind === "latency") {
        latencyMs += active.fault.ms;
        this.consume(active);
      } else if (terminal === null) {
        terminal = { ...active.fault, id: active.id };
        this.consume(active);
      }
    }
    this.faults = this.faults.filter((active) => active.remaining === null || active.remaining > 0);
    return { latencyMs, terminal };
  }

  private consume(active: ActiveFault): void {
    if (active.remaining !== null) active.remaining--;
  }
}
