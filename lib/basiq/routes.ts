import "server-only";

import { BasiqInputError, type HttpMethod } from "./errors";

// Route templates and path building. The template (`GET /users/{userId}`) names the call in errors, logs and
// metrics; the concrete path carries the ids, percent-encoded, and never leaves this module except as a URL.

/** Ids Basiq issues are UUIDs, hex strings or digits; anything else (empty, `..`, `/`, spaces, `@`) is refused. */
const SAFE_ID = /^[A-Za-z0-9_-]{1,128}$/;

export type PathParams = Record<string, string>;

export interface ResolvedRoute {
  method: HttpMethod;
  /** `GET /users/{userId}/connections` */
  route: string;
  /** `/users/u-1/connections` */
  path: string;
  params: PathParams;
}

export function resolveRoute(method: HttpMethod, template: string, params: PathParams = {}): ResolvedRoute {
  const route = `${method} ${template}`;
  const path = template.replace(/\{(\w+)\}/g, (_match, name: string) => {
    const value = params[name];
    if (typeof value !== "string" || !SAFE_ID.test(value)) {
      throw new BasiqInputError({ method, route, parameter: name });
    }
    return encodeURIComponent(value);
  });
  return { method, route, path, params };
}

/** For values checked against a stricter pattern than SAFE_ID (connector ids, methods). */
export function assertMatches(
  value: unknown,
  pattern: RegExp | readonly string[],
  where: { method: HttpMethod; route: string; parameter: string },
): asserts value is string {
  const ok =
    typeof value === "string" && (pattern instanceof RegExp ? pattern.test(value) : pattern.includes(value));
  if (!ok) throw new BasiqInputError(where);
}

export function assertSafeId(
  value: unknown,
  where: { method: HttpMethod; route: string; parameter: string },
) {
  assertMatches(value, SAFE_ID, where);
}
