// Checks proxy.ts makes before Next.js sees a request (issue 14 items 5 and 11). Pure functions of the request's
// parts, so they can be tested without a server. They never authorize anything.

/** Next.js's default limit on a server-action body (serverActions.bodySizeLimit). */
export const ACTION_BODY_LIMIT_BYTES = 1024 * 1024;

/** True when every segment of the raw path decodes (Next's router answers a malformed escape with a 500). */
export function pathDecodes(rawPathname: string): boolean {
  try {
    for (const segment of rawPathname.split("/")) decodeURIComponent(segment);
    return true;
  } catch {
    return false;
  }
}

/** Whether `origin` (the Origin header) names this `host` (the Host header). Missing, `null` or malformed: no. */
export function originMatchesHost(origin: string | null, host: string | null): boolean {
  if (!origin || origin === "null" || !host) return false;
  try {
    const url = new URL(origin);
    return (url.protocol === "http:" || url.protocol === "https:") && url.host === host.toLowerCase();
  } catch {
    return false;
  }
}

// What React's encodeReply puts in a single-chunk (text) action body besides JSON values: escaped strings ("$$…")
// and a few constants. Anything else starting with "$" refers to another chunk (a promise, FormData, Map, Set,
// server reference, blob…), which a text body cannot carry: Next's decoder then fails with a 500 or waits forever.
const PLAIN_TOKENS = new Set(["$undefined", "$NaN", "$Infinity", "$-Infinity", "$-0"]);

function plainValue(value: unknown, depth: number): boolean {
  if (depth > 64) return false;
  if (typeof value === "string") return !value.startsWith("$") || value.startsWith("$$") || PLAIN_TOKENS.has(value);
  if (Array.isArray(value)) return value.every((v) => plainValue(v, depth + 1));
  if (value && typeof value === "object") return Object.entries(value).every(([k, v]) => !k.startsWith("$") && plainValue(v, depth + 1));
  return true;
}

/** A text (non-multipart) server-action body Next.js can decode: a JSON array of plain values. */
export function actionTextBodyDecodes(body: string): boolean {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    return false;
  }
  return Array.isArray(parsed) && plainValue(parsed, 0);
}
