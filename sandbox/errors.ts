// Basiq's error envelope: {type:"list", correlationId, data:[{type:"error", code, title, detail, source}]}.
// Titles follow the spec's examples. The spec declares no response headers, so the correlation id travels in
// the body only (no x-correlation-id header is invented).
import { randomUUID } from "node:crypto";

export interface ErrorSource {
  parameter?: string;
  pointer?: string;
}

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    readonly title: string,
    readonly detail: string,
    readonly source?: ErrorSource,
    readonly headers: Record<string, string> = {},
  ) {
    super(`${status} ${code}: ${detail}`);
    this.name = "ApiError";
  }
}

export interface ErrorBody {
  type: "list";
  correlationId: string;
  data: { type: "error"; code: string; title: string; detail: string; source?: ErrorSource }[];
}

export function errorBody(error: ApiError, correlationId: string = randomUUID()): ErrorBody {
  const item: ErrorBody["data"][number] = {
    type: "error",
    code: error.code,
    title: error.title,
    detail: error.detail,
  };
  if (error.source) item.source = error.source;
  return { type: "list", correlationId, data: [item] };
}

export const notFound = (detail = "Resource not found."): ApiError =>
  new ApiError(404, "resource-not-found", "Requested resource is not found.", detail);

export const parameterNotValid = (parameter: string, detail: string): ApiError =>
  new ApiError(400, "parameter-not-valid", "Parameter value is not valid", detail, { parameter });

export const parameterNotSupplied = (
  parameter: string,
  detail = `The ${parameter} parameter is required.`,
): ApiError =>
  new ApiError(400, "parameter-not-supplied", "Required parameter not supplied", detail, { parameter });

export const unauthorizedAccess = (detail = "You are not authorized to access this resource"): ApiError =>
  new ApiError(401, "unauthorized-access", "Unauthorized Access", detail);

export const invalidToken = (detail: string): ApiError =>
  new ApiError(401, "invalid-authorization-token", "Invalid authorization token", detail);

/**
 * Basiq's answer to POST /token with a wrong, deleted or missing API key (or a dev key in production): a 404 in
 * NotFoundError's shape, not a 401 (BASIQ.md, "What Basiq's docs say that the OpenAPI does not show").
 */
export const apiKeyRefused = (): ApiError =>
  new ApiError(
    404,
    "resource-not-found",
    "Requested resource is not found.",
    "Unable to authenticate. Please, check your API key",
  );

/** Basiq's `403 "Token has expired"`, documented for nearly every endpoint (ForbiddenAccessError needs `source`). */
export const tokenExpired = (): ApiError =>
  new ApiError(403, "forbidden-access", "Token has expired", "Token has expired", {
    parameter: "Authorization",
  });

/** An Accept header that rules out JSON (BadRequestError code `unsupported-accept`). */
export const unsupportedAccept = (accept: string): ApiError =>
  new ApiError(
    400,
    "unsupported-accept",
    "Unsupported accept header",
    `Accept ${accept.slice(0, 100)} is not supported; send application/json.`,
    { parameter: "Accept" },
  );
export const forbiddenAccess = (detail: string, parameter: string): ApiError =>
  new ApiError(403, "forbidden-access", "Forbidden Access", detail, { parameter });

export const tooManyRequests = (detail: string, retryAfterSeconds?: number): ApiError =>
  new ApiError(
    429,
    "too-many-requests",
    "Too many requests",
    detail,
    undefined,
    retryAfterSeconds === undefined ? {} : { "Retry-After": String(retryAfterSeconds) },
  );

/** The Basiq-shaped error for an arbitrary status, used by `status` faults. */
export function errorForStatus(status: number, route: string): ApiError {
  const detail = `Injected by the sandbox for ${route}.`;
  switch (status) {
    case 400:
      return new ApiError(400, "parameter-not-valid", "Parameter value is not valid", detail, {
        parameter: "sandbox-fault",
      });
    case 401:
      return new ApiError(401, "unauthorized-access", "Unauthorized Access", detail);
    case 403:
      // ForbiddenAccessError requires `source`.
      return new ApiError(403, "forbidden-access", "Forbidden Access", detail, { pointer: route });
    case 404:
      return new ApiError(404, "resource-not-found", "Requested resource is not found.", detail);
    case 410:
      return new ApiError(410, "resource-no-longer-available", "Resource no longer available", detail);
    case 429:
      return new ApiError(429, "too-many-requests", "Too many requests", detail);
    case 500:
      return new ApiError(500, "internal-server-error", "Internal Server error.", detail);
    case 502:
    case 503:
    case 504:
      return new ApiError(status, "service-unavailable", "Service Unavailable", detail);
    default:
      return status >= 500
        ? new ApiError(status, "internal-server-error", "Internal Server error.", detail)
        : new ApiError(status, "parameter-not-valid", "Request not valid", detail, {
            parameter: "sandbox-fault",
          });
  }
}
