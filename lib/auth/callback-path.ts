// Post-sign-in destinations (no open redirects; issue 14 item 1, SECURITY.md "redirect targets are parsed").
// A value is parsed as a WHATWG URL against a fixed base — exactly what a browser does with a Location header,
// TAB/CR/LF stripped and `\` read as `/` included — and only a same-origin result is kept, rebuilt from its
// parsed parts (percent-encoded path, query and fragment: no control or non-ASCII character survives, so the
// header cannot be invalid). Never a string check on the raw value: `/\t/evil.example` passes any prefix test
// and becomes `//evil.example` in the browser.
const BASE = "http://console.invalid";
const MAX_LENGTH = 2000;

/** The parsed same-origin path + query + fragment of `value` on `base`, or null. */
function parseSameOrigin(value: unknown, base: string): string | null {
  if (typeof value !== "string" || value.length > MAX_LENGTH) return null;
  let baseUrl: URL;
  let url: URL;
  try {
    baseUrl = new URL(base);
    url = new URL(value, baseUrl);
  } catch {
    return null;
  }
  if (url.origin !== baseUrl.origin || url.username || url.password) return null;
  // A rebuilt path that starts with `//` (e.g. from `/.//evil.example`) would be protocol-relative.
  if (url.pathname.startsWith("//") || !url.pathname.startsWith("/")) return null;
  const rebuilt = `${url.pathname}${url.search}${url.hash}`;
  return rebuilt.length > MAX_LENGTH ? null : rebuilt;
}

/** Where to go after sign-in or the second factor: a same-origin console path, else "/". */
export function safeCallbackPath(value: unknown): string {
  const path = parseSameOrigin(value, BASE);
  if (!path) return "/";
  // Never back to sign-in itself or to an API route.
  if (path === "/login" || path.startsWith("/login?") || path.startsWith("/login#") || path.startsWith("/api/")) return "/";
  return path;
}

/**
 * next-auth's redirect callback: `url` (a path or an absolute URL) kept only when it is on `baseUrl`'s origin,
 * rebuilt as an absolute URL there; anything else becomes `baseUrl`'s root.
 */
export function sameOriginPath(url: string, baseUrl: string): string {
  const origin = new URL(baseUrl).origin;
  return `${origin}${parseSameOrigin(url, origin) ?? "/"}`;
}
