import "server-only";

// Typed errors of the Basiq client. Messages are built only from the HTTP method, the route *template*
// (no ids), the status and Basiq's error code: never the API key, a token, a path with ids, or a body.

export type HttpMethod = "GET" | "POST" | "DELETE";

export interface BasiqErrorInit {
  method: HttpMethod;
  /** Route template, e.g. `GET /users/{userId}/connections`: safe to log and to group metrics by. */
  route: string;
  status?: number;
  code?: string;
  title?: string;
  /** Basiq's human-readable detail; kept on the error for support, never put in the message or logs. */
  detail?: string;
  correlationId?: string;
  retryAfterSeconds?: number;
  cause?: unknown;
}

const BRAND = Symbol.for("basiq-console.basiq-error");

export class BasiqError extends Error {
  /** The name `instanceof` compares (class names do not survive minification). */
  static readonly brandName: string = "BasiqError";

  /**
   * Next.js may load this module more than once (RSC, SSR and route-handler bundles) while the client singleton
   * lives on globalThis, so an error can come from "another copy" of its class. Compare by brand, not identity.
   */
  static [Symbol.hasInstance](value: unknown): boolean {
    if (typeof value !== "object" || value === null) return false;
    const kinds = (value as Record<symbol, unknown>)[BRAND];
    return Array.isArray(kinds) && kinds.includes(this.brandName);
  }

  readonly status: number | undefined;
  readonly code: string | undefined;
  readonly title: string | undefined;
  readonly detail: string | undefined;
  readonly correlationId: string | undefined;
  readonly method: HttpMethod;
  readonly route: string;
  readonly retryAfterSeconds: number | undefined;

  constructor(message: string, init: BasiqErrorInit) {
    super(message, init.cause === undefined ? undefined : { cause: init.cause });
    const kinds: string[] = [];
    for (let c: unknown = new.target; typeof c === "function" && c !== Error; c = Object.getPrototypeOf(c)) {
      kinds.push((c as typeof BasiqError).brandName);
    }
    Object.defineProperty(this, BRAND, { value: kinds, enumerable: false });
    this.name = "BasiqError"; // names set explicitly: class names do not survive minification
    this.status = init.status;
    this.code = init.code;
    this.title = init.title;
    this.detail = init.detail;
    this.correlationId = init.correlationId;
    this.method = init.method;
    this.route = init.route;
    this.retryAfterSeconds = init.retryAfterSeconds;
  }
}

/** Basiq answered with an HTTP error status (its error body parsed leniently into code/title/detail). */
export class BasiqApiError extends BasiqError {
  static override readonly brandName: string = "BasiqApiError";
  declare readonly status: number;

  constructor(init: BasiqErrorInit & { status: number }) {
    const what = [init.status, init.code].filter((v) => v !== undefined).join(" ");
    super(`Basiq ${init.route} failed: ${what}`, init);
    this.name = "BasiqApiError";
  }
}

/** The request never got an HTTP answer (connection refused, reset, DNS...). */
export class BasiqNetworkError extends BasiqError {
  static override readonly brandName: string = "BasiqNetworkError";
  constructor(init: BasiqErrorInit & { reason?: string }) {
    super(`Basiq ${init.route} failed: network error${init.reason ? ` (${init.reason})` : ""}`, init);
    this.name = "BasiqNetworkError";
  }
}

/** No complete answer within the per-attempt timeout. */
export class BasiqTimeoutError extends BasiqError {
  static override readonly brandName: string = "BasiqTimeoutError";
  readonly timeoutMs: number;

  constructor(init: BasiqErrorInit & { timeoutMs: number }) {
    super(`Basiq ${init.route} timed out after ${init.timeoutMs} ms`, init);
    this.name = "BasiqTimeoutError";
    this.timeoutMs = init.timeoutMs;
  }
}

/** A response that does not match the wire contract (or is not JSON). */
export class BasiqSchemaError extends BasiqError {
  static override readonly brandName: string = "BasiqSchemaError";
  /** Where in the body the first mismatch is, e.g. `data.3.status` (`(body)` when it is not JSON). */
  readonly path: string;

  constructor(init: BasiqErrorInit & { path: string; issue: string }) {
    super(`Basiq ${init.route} returned an unexpected response at ${init.path}: ${init.issue}`, {
      ...init,
      code: init.code ?? "schema-mismatch",
    });
    this.name = "BasiqSchemaError";
    this.path = init.path;
  }
}

/**
 * A non-idempotent call (refresh, purge, delete) was sent but no answer came back: it may or may not have
 * taken effect. Check the resource before trying again; the client never retries these blindly.
 */
export class BasiqOutcomeUnknownError extends BasiqError {
  static override readonly brandName: string = "BasiqOutcomeUnknownError";
  constructor(init: BasiqErrorInit) {
    super(`Basiq ${init.route}: outcome unknown — check before retrying`, {
      ...init,
      code: init.code ?? "outcome-unknown",
    });
    this.name = "BasiqOutcomeUnknownError";
  }
}

/** An argument was rejected before any request was made (empty or unsafe id, bad method...). */
export class BasiqInputError extends BasiqError {
  static override readonly brandName: string = "BasiqInputError";
  constructor(init: BasiqErrorInit & { parameter: string }) {
    // The offending value is not echoed: it might be an email pasted into an id field.
    super(`Basiq ${init.route}: invalid ${init.parameter}`, { ...init, code: init.code ?? "invalid-input" });
    this.name = "BasiqInputError";
  }
}

export function isBasiqError(e: unknown): e is BasiqError {
  return e instanceof BasiqError;
}

// ---------------------------------------------------------------------------------------------------------
// Classification by route. A failure of POST /token is about *our* credentials or Basiq's availability, never
// about the resource the caller asked for: Basiq answers a deleted or wrong API key with
// `404 "Unable to authenticate. Please, check your API key"`. These helpers are the only way code asks
// "does this resource not exist?" or "did Basiq refuse our key?".

export const TOKEN_ROUTE = "POST /token";

/** The call failed while getting a token (any status, or no answer): the resource was never asked for. */
export function isTokenFailure(e: unknown): boolean {
  return isBasiqError(e) && e.route === TOKEN_ROUTE;
}

/** Basiq answered POST /token with a 4xx: it refuses our API key (deleted, wrong, or a dev key in production). */
export function isBasiqKeyRefused(e: unknown): e is BasiqApiError {
  return e instanceof BasiqApiError && e.route === TOKEN_ROUTE && e.status >= 400 && e.status < 500;
}

/**
 * True only when Basiq said the resource itself does not exist: 404 (or 410 "no longer available") on the
 * resource's own route. Never for a token failure. `invalidIdToo` also counts a 400 on the resource's route,
 * which Basiq sends for a connection id that is not one of this user's.
 */
export function isBasiqNotFound(e: unknown, options: { invalidIdToo?: boolean } = {}): e is BasiqApiError {
  if (!(e instanceof BasiqApiError) || e.route === TOKEN_ROUTE) return false;
  return e.status === 404 || e.status === 410 || (options.invalidIdToo === true && e.status === 400);
}

/** The sentence every surface (pages, import, sync, sweep, health) uses when Basiq refuses our API key. */
export const KEY_REFUSED_MESSAGE = "Basiq refused our API key";
