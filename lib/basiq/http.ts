import "server-only";

import type { Logger } from "pino";
import type { z } from "zod";

import {
  BasiqApiError,
  BasiqError,
  BasiqNetworkError,
  BasiqOutcomeUnknownError,
  BasiqSchemaError,
  BasiqTimeoutError,
  isBasiqKeyRefused,
} from "./errors";
import type { Lane, Limiter, PauseGate } from "./limiter";
import type { BasiqFetch, BasiqResponse } from "./undici-fetch";
import {
  recordBasiqAttempt,
  recordBasiqCall,
  recordBasiqRetry,
  recordTokenRequest,
} from "../observability/metrics";
import { withBasiqSpan } from "../observability/tracing";
import type { RouteMetricsRecorder } from "./metrics";
import { backoffDelayMs, isRetryableStatus, parseRetryAfter } from "./retry";
import { resolveRoute, type ResolvedRoute } from "./routes";
import { errorBodySchema, errorItemSchema, tokenResponseSchema } from "./schemas";
import { type IssuedToken, TokenCache } from "./token-cache";

// One logical Basiq call = up to (1 + retries) attempts, plus at most one extra attempt after a 401.
// Each attempt: get a token (outside the concurrency limit), take a slot, send with a timeout, read the body,
// release the slot. Decisions (retry, refresh, give up) are made here; the client only describes calls.

/** Optional per-call context: ids for the log line (path ids are added automatically) and a caller signal. */
export interface CallContext {
  userId?: string;
  connectionId?: string;
  jobId?: string;
  signal?: AbortSignal;
  /** Which concurrency lane the call waits in. Default interactive; the sweep, syncs and refreshes say background. */
  lane?: Lane;
}

export interface CallSpec<T> {
  resolved: ResolvedRoute;
  query?: Record<string, string | undefined>;
  /** Full URL to request instead of baseUrl + path (a validated `links.next`). */
  url?: string;
  /** GETs: retried on network errors, timeouts, 408, 429, 5xx. Everything else: never blindly retried. */
  idempotent: boolean;
  /** `null` when no body is expected (204). */
  schema: z.ZodType<T> | null;
  /** A JSON request body (POST /notifications/…); sent as application/json. */
  body?: unknown;
  context?: CallContext;
  /** Told the HTTP status of the successful answer (POST …/refresh: 202 started, 200 already running). */
  onSuccessStatus?: (status: number) => void;
}

export type Sleep = (ms: number, signal?: AbortSignal) => Promise<void>;

export interface TransportOptions {
  baseUrl: string;
  apiKey: string;
  fetch: BasiqFetch;
  now: () => number;
  sleep: Sleep;
  random: () => number;
  timeoutMs: number;
  retries: number;
  maxRetryAfterMs: number;
  tokenRefreshAgeMs: number;
  tokenBlockingWindowMs: number;
  /** One limiter per lane, each with per-route bulkheads. */
  lanes: Record<Lane, Limiter>;
  /** Shared by every lane: a 429's Retry-After holds back every new request. */
  gate: PauseGate;
  metrics: RouteMetricsRecorder;
  logger: Logger;
}

interface RawResponse {
  status: number;
  headers: BasiqResponse["headers"];
  text: string;
}

type Outcome<T> =
  | { kind: "ok"; value: T; status: number }
  | { kind: "unauthorized"; token: string; error: BasiqError }
  | { kind: "error"; error: BasiqError };

/** The spec declares no correlation header (only the body field); these are read as a fallback if present. */
const CORRELATION_HEADERS = ["x-correlation-id", "correlation-id"];
const TOKEN_ROUTE = resolveRoute("POST", "/token");

export const defaultSleep: Sleep = (ms, signal) =>
  new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal?.reason);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    signal?.addEventListener("abort", onAbort, { once: true });
  });

export class Transport {
  private readonly baseUrl: string;
  readonly tokens: TokenCache;

  constructor(private readonly options: TransportOptions) {
    this.baseUrl = options.baseUrl.replace(/\/+$/, "");
    this.tokens = new TokenCache({
      requestToken: () => this.requestToken(),
      now: options.now,
      refreshAgeMs: options.tokenRefreshAgeMs,
      blockingWindowMs: options.tokenBlockingWindowMs,
      onBackgroundRefreshError: (error) => this.logBackgroundRefreshFailure(error),
      rememberFailure: isBasiqKeyRefused,
    });
  }

  url(path: string, query?: Record<string, string | undefined>): string {
    const search = new URLSearchParams();
    for (const [key, value] of Object.entries(query ?? {})) if (value !== undefined) search.set(key, value);
    const qs = search.toString();
    return `${this.baseUrl}${path}${qs ? `?${qs}` : ""}`;
  }

  /** One POST /token. Not retried here: a failure reaches every waiting caller (a key refusal is remembered 5 s). */
  async requestToken(): Promise<IssuedToken> {
    try {
      const token = await this.requestTokenOnce();
      recordTokenRequest("ok");
      return token;
    } catch (error) {
      recordTokenRequest(isBasiqKeyRefused(error) ? "key_refused" : "failed");
      throw error;
    }
  }

  private async requestTokenOnce(): Promise<IssuedToken> {
    const raw = await this.send(
      {
        method: "POST",
        url: `${this.baseUrl}/token`,
        headers: {
          // The key is issued already base64-encoded: send it as is.
          Authorization: `Basic ${this.options.apiKey}`,
          "basiq-version": "3.0",
          "Content-Type": "application/x-www-form-urlencoded",
          Accept: "application/json",
        },
        body: "scope=SERVER_ACCESS",
      },
      TOKEN_ROUTE,
      undefined,
      // Token requests take no lane slot (single-flight: at most one at a time), so they never wait behind the
      // calls that are waiting for them.
      null,
    );
    if (raw.status < 200 || raw.status > 299) throw this.apiError(TOKEN_ROUTE, raw);
    const token = this.parse(TOKEN_ROUTE, raw, tokenResponseSchema);
    return { accessToken: token.access_token, expiresInSeconds: token.expires_in };
  }

  private logBackgroundRefreshFailure(error: unknown): void {
    const e = error instanceof BasiqError ? error : undefined;
    this.options.logger.warn(
      {
        route: TOKEN_ROUTE.route,
        status: e?.status,
        code: e?.code,
        correlationId: e?.correlationId,
        errorType: e?.name,
      },
      "Basiq background token refresh failed; the current token is still in use",
    );
  }

  /** One logical call, timed for the metrics and traced as one span (ids, status, correlationId; no body). */
  async call<T>(spec: CallSpec<T>): Promise<T> {
    const started = performance.now();
    const route = spec.resolved.route;
    return withBasiqSpan(route, spec.context?.lane ?? "interactive", this.ids(spec), async (end) => {
      const progress = { attempts: 0 };
      try {
        const { value, status, attempts } = await this.callWithRetries(spec, progress);
        recordBasiqCall(route, "ok", (performance.now() - started) / 1000);
        end({ status, attempts });
        return value;
      } catch (error) {
        recordBasiqCall(route, "error", (performance.now() - started) / 1000);
        const e = error instanceof BasiqError ? error : undefined;
        end({
          status: e?.status,
          correlationId: e?.correlationId,
          attempts: progress.attempts,
          errorCode: e?.code,
          errorType: e?.name ?? "aborted",
        });
        throw error;
      }
    });
  }

  private async callWithRetries<T>(
    spec: CallSpec<T>,
    progress: { attempts: number },
  ): Promise<{ value: T; status: number; attempts: number }> {
    const url = spec.url ?? this.url(spec.resolved.path, spec.query);
    const signal = spec.context?.signal;
    let attempts = 0;
    let retriesUsed = 0;
    let refreshedAfter401 = false;

    for (;;) {
      attempts++;
      progress.attempts = attempts;
      const outcome = await this.attempt(spec, url);
      if (outcome.kind === "ok") return { value: outcome.value, status: outcome.status, attempts };

      // A 401 (or 403 "Token has expired") means the request was refused before any effect, so even a purge
      // may be retried once. At most one forced refresh per call: a second refusal goes back to the caller.
      if (outcome.kind === "unauthorized" && !refreshedAfter401) {
        refreshedAfter401 = true;
        this.options.metrics.unauthorizedRetries++;
        recordBasiqRetry(spec.resolved.route, "unauthorized");
        this.debug(
          spec,
          attempts,
          { status: outcome.error.status },
          "Basiq refused the token: refreshing it once and retrying",
        );
        try {
          await abortable(this.tokens.forceRefresh(outcome.token), signal);
        } catch (error) {
          throw this.fail(spec, asBasiqError(error, signal, spec.resolved), attempts);
        }
        continue;
      }

      const error = this.finalForm(spec, outcome.error);
      const delayMs = this.retryDelay(spec, error, retriesUsed);
      if (delayMs === undefined) throw this.fail(spec, error, attempts);
      retriesUsed++;
      recordBasiqRetry(spec.resolved.route, retryReason(error));
      this.debug(
        spec,
        attempts,
        { status: error.status, code: error.code, delayMs },
        "Basiq call failed; retrying",
      );
      await this.options.sleep(delayMs, signal);
    }
  }

  private async attempt<T>(spec: CallSpec<T>, url: string): Promise<Outcome<T>> {
    const signal = spec.context?.signal;
    let token: string;
    try {
      token = await abortable(this.tokens.get(), signal);
    } catch (error) {
      return { kind: "error", error: asBasiqError(error, signal, spec.resolved) };
    }

    let raw: RawResponse;
    try {
      raw = await this.send(
        {
          method: spec.resolved.method,
          url,
          headers: {
            Authorization: `Bearer ${token}`,
            Accept: "application/json",
            ...(spec.body === undefined ? {} : { "Content-Type": "application/json" }),
          },
          ...(spec.body === undefined ? {} : { body: JSON.stringify(spec.body) }),
        },
        spec.resolved,
        signal,
        spec.context?.lane ?? "interactive",
      );
    } catch (error) {
      return { kind: "error", error: asBasiqError(error, signal, spec.resolved) };
    }

    if (raw.status >= 200 && raw.status <= 299) {
      try {
        const value = spec.schema === null ? (undefined as T) : this.parse(spec.resolved, raw, spec.schema);
        spec.onSuccessStatus?.(raw.status);
        return { kind: "ok", value, status: raw.status };
      } catch (error) {
        return { kind: "error", error: asBasiqError(error, signal, spec.resolved) };
      }
    }
    const error = this.apiError(spec.resolved, raw);
    return isTokenRejection(error) ? { kind: "unauthorized", token, error } : { kind: "error", error };
  }

  /**
   * Non-idempotent calls that were sent and got no answer become "outcome unknown"; so does a 2xx whose body
   * cannot be read (Basiq accepted the call, e.g. started a refresh job, but we cannot tell which).
   */
  private finalForm<T>(spec: CallSpec<T>, error: BasiqError): BasiqError {
    if (spec.idempotent || error.route !== spec.resolved.route) return error;
    const lost = error instanceof BasiqNetworkError || error instanceof BasiqTimeoutError;
    const unreadable =
      error instanceof BasiqSchemaError && error.status !== undefined && error.status >= 200 && error.status <= 299;
    if (!lost && !unreadable) return error;
    return new BasiqOutcomeUnknownError({
      method: error.method,
      route: error.route,
      status: unreadable ? error.status : undefined,
      correlationId: error.correlationId,
      cause: error,
      code: error instanceof BasiqTimeoutError ? "timeout" : unreadable ? "unreadable-response" : "network-error",
    });
  }

  /** Milliseconds to wait before the next attempt, or undefined to give up. */
  private retryDelay<T>(spec: CallSpec<T>, error: BasiqError, retriesUsed: number): number | undefined {
    if (!spec.idempotent || retriesUsed >= this.options.retries) return undefined;
    const transient =
      error instanceof BasiqNetworkError ||
      error instanceof BasiqTimeoutError ||
      (error instanceof BasiqApiError && isRetryableStatus(error.status));
    if (!transient) return undefined;
    if (error.retryAfterSeconds !== undefined) {
      const ms = error.retryAfterSeconds * 1000;
      return ms > this.options.maxRetryAfterMs ? undefined : ms;
    }
    return backoffDelayMs(retriesUsed, this.options.random);
  }

  /** Logs a failed call exactly once, with the ids it concerns and never a header, token or body. */
  private fail<T>(spec: CallSpec<T>, error: BasiqError, attempts: number): BasiqError {
    // 4xx are answers (warn); no answer, a 5xx or a broken contract are Basiq-side trouble (error).
    const severe = error.status === undefined || error.status >= 500 || error instanceof BasiqSchemaError;
    this.options.logger[severe ? "error" : "warn"](
      {
        route: spec.resolved.route,
        ...(error.route !== spec.resolved.route ? { failedRoute: error.route } : {}),
        status: error.status,
        code: error.code,
        correlationId: error.correlationId,
        ...this.ids(spec),
        attempt: attempts,
        errorType: error.name,
        ...(error instanceof BasiqSchemaError ? { path: error.path } : {}),
      },
      "Basiq call failed",
    );
    return error;
  }

  private debug<T>(spec: CallSpec<T>, attempts: number, fields: Record<string, unknown>, msg: string): void {
    this.options.logger.debug(
      { route: spec.resolved.route, ...fields, ...this.ids(spec), attempt: attempts },
      msg,
    );
  }

  private ids<T>(spec: CallSpec<T>): { userId?: string; connectionId?: string; jobId?: string } {
    const { context = {}, resolved } = spec;
    return {
      userId: resolved.params.userId ?? context.userId,
      connectionId: resolved.params.connectionId ?? context.connectionId,
      jobId: resolved.params.jobId ?? context.jobId,
    };
  }

  /**
   * One HTTP exchange inside a slot of its lane (none for `null`: token requests), cut off after timeoutMs (the
   * queue wait and a shared 429 pause are not counted).
   */
  private send(
    request: { method: string; url: string; headers: Record<string, string>; body?: string },
    resolved: ResolvedRoute,
    callerSignal: AbortSignal | undefined,
    lane: Lane | null,
  ): Promise<RawResponse> {
    const { lanes, gate, metrics, timeoutMs, now, maxRetryAfterMs } = this.options;
    const exchange = async () => {
      await gate.wait(callerSignal);
      metrics.recordAttempt(resolved.route);
      const started = performance.now();
      const elapsed = () => (performance.now() - started) / 1000;
      const controller = new AbortController();
      const timer = setTimeout(() => controller.abort(), timeoutMs);
      const onCallerAbort = () => controller.abort();
      callerSignal?.addEventListener("abort", onCallerAbort, { once: true });
      try {
        // Racing the abort signal as well keeps the timeout honest even if a fetch ignores its signal.
        const raw = await abortable(
          (async () => {
            const response = await this.options.fetch(request.url, {
              method: request.method,
              headers: request.headers,
              body: request.body,
              signal: controller.signal,
              redirect: "manual", // never follow a redirect with our Authorization header
            });
            return { status: response.status, headers: response.headers, text: await response.text() };
          })(),
          controller.signal,
        );
        const retryAfter = parseRetryAfter(raw.headers.get("retry-after"), now());
        metrics.recordStatus(resolved.route, raw.status, retryAfter);
        metrics.recordReachability(raw.status < 500, now());
        recordBasiqAttempt(resolved.route, raw.status, elapsed(), retryAfter);
        // Basiq's rate limit is per application: every lane waits it out, not just this caller.
        if (raw.status === 429 && retryAfter !== undefined)
          gate.pause(now() + Math.min(retryAfter * 1000, maxRetryAfterMs));
        return raw;
      } catch (error) {
        if (callerSignal?.aborted) throw callerSignal.reason;
        metrics.recordReachability(false, now());
        const base = { method: resolved.method, route: resolved.route, cause: error };
        recordBasiqAttempt(resolved.route, controller.signal.aborted ? "timeout" : "network_error", elapsed());
        if (controller.signal.aborted) throw new BasiqTimeoutError({ ...base, timeoutMs });
        throw new BasiqNetworkError({ ...base, reason: networkReason(error) });
      } finally {
        clearTimeout(timer);
        callerSignal?.removeEventListener("abort", onCallerAbort);
      }
    };
    if (lane === null) return exchange();
    return lanes[lane].run(exchange, { signal: callerSignal, key: resolved.route });
  }

  private parse<T>(resolved: ResolvedRoute, raw: RawResponse, schema: z.ZodType<T>): T {
    const base = { method: resolved.method, route: resolved.route, status: raw.status };
    let json: unknown;
    try {
      json = JSON.parse(raw.text);
    } catch {
      throw new BasiqSchemaError({
        ...base,
        correlationId: correlationIdOf(undefined, raw.headers),
        path: "(body)",
        issue: "not valid JSON",
      });
    }
    const result = schema.safeParse(json);
    if (result.success) return result.data;
    const issue = result.error.issues[0];
    throw new BasiqSchemaError({
      ...base,
      correlationId: correlationIdOf(json, raw.headers),
      path: issue && issue.path.length > 0 ? issue.path.map(String).join(".") : "(root)",
      // zod's messages name the expected type or options, never the received value.
      issue: issue?.message ?? "does not match the schema",
    });
  }

  private apiError(resolved: ResolvedRoute, raw: RawResponse): BasiqApiError {
    const body = parseErrorBody(raw.text);
    return new BasiqApiError({
      method: resolved.method,
      route: resolved.route,
      status: raw.status,
      ...body,
      correlationId: body.correlationId ?? correlationIdOf(undefined, raw.headers),
      retryAfterSeconds: parseRetryAfter(raw.headers.get("retry-after"), this.options.now()),
    });
  }
}

/** Why an attempt is retried, as a metric label: the status code, or the kind of failure. */
function retryReason(error: BasiqError): string {
  if (error instanceof BasiqTimeoutError) return "timeout";
  if (error instanceof BasiqNetworkError) return "network_error";
  return error.status !== undefined ? String(error.status) : "other";
}

/**
 * Basiq refused the bearer token itself: a 401, or the `403 "Token has expired"` Basiq documents for nearly
 * every endpoint (a plain 403 forbidden-access is an answer about the resource and is not retried).
 */
export function isTokenRejection(error: BasiqApiError): boolean {
  if (error.status === 401) return true;
  if (error.status !== 403) return false;
  return [error.title, error.detail].some((text) => typeof text === "string" && /token has expired/i.test(text));
}

/** Basiq's error body, read leniently: anything unreadable just leaves the fields undefined. */
export function parseErrorBody(text: string): {
  code?: string;
  title?: string;
  detail?: string;
  correlationId?: string;
} {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return {};
  }
  const body = errorBodySchema.safeParse(json);
  if (!body.success) return {};
  const item = errorItemSchema.safeParse(body.data.data?.[0]);
  const first = item.success ? item.data : undefined;
  const code =
    typeof first?.code === "string" && /^[A-Za-z0-9._-]{1,80}$/.test(first.code) ? first.code : undefined;
  return { code, title: first?.title, detail: first?.detail, correlationId: body.data.correlationId };
}

function correlationIdOf(json: unknown, headers: BasiqResponse["headers"]): string | undefined {
  if (json && typeof json === "object" && "correlationId" in json && typeof json.correlationId === "string") {
    return json.correlationId;
  }
  for (const name of CORRELATION_HEADERS) {
    const value = headers.get(name);
    if (value) return value;
  }
  return undefined;
}

/** A short, safe reason for a network failure (an error code, never a message that might hold a URL). */
function networkReason(error: unknown): string | undefined {
  const candidates = [
    (error as { cause?: { code?: unknown } } | undefined)?.cause?.code,
    (error as { code?: unknown } | undefined)?.code,
  ];
  const code = candidates.find((c): c is string => typeof c === "string" && /^[A-Z][A-Z0-9_]{1,40}$/.test(c));
  return code;
}

/** Anything thrown during an attempt, as a BasiqError; a caller's own abort is re-thrown untouched. */
function asBasiqError(error: unknown, signal: AbortSignal | undefined, resolved: ResolvedRoute): BasiqError {
  if (signal?.aborted && error === signal.reason) throw error;
  if (error instanceof BasiqError) return error;
  // Unexpected (a bug, or a fetch stub throwing synchronously): keep it typed, without its message.
  return new BasiqNetworkError({ method: resolved.method, route: resolved.route, cause: error });
}

/** Settles with `promise`, or rejects as soon as `signal` aborts (the promise itself is left to settle). */
function abortable<T>(promise: Promise<T>, signal: AbortSignal | undefined): Promise<T> {
  if (!signal) return promise;
  if (signal.aborted) {
    promise.catch(() => {});
    return Promise.reject(signal.reason);
  }
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => {
      promise.catch(() => {});
      reject(signal.reason);
    };
    signal.addEventListener("abort", onAbort, { once: true });
    promise.then(
      (value) => {
        signal.removeEventListener("abort", onAbort);
        resolve(value);
      },
      (error: unknown) => {
        signal.removeEventListener("abort", onAbort);
        reject(error);
      },
    );
  });
}
