// Response headers of every console response (SECURITY.md NX-3), built here as pure functions so they can be
// unit-tested; proxy.ts only calls them. No `server-only`: this module holds no secrets and proxy.ts is compiled
// without the react-server condition. Nothing here decides who may see what (that is lib/auth/policy.ts).

/** Where connector logos come from (Basiq's CDN, see lib/connectors/refresh.ts); the only remote origin we load. */
export const LOGO_ORIGIN = "https://cdn.basiq.io";

export type HeaderOptions = {
  /** process.env.NODE_ENV: "development" relaxes what `next dev` needs, "production" adds HSTS. */
  nodeEnv: string | undefined;
  /**
   * The single sign-on provider's issuer (OIDC_ISSUER, issue 19): the "Sign in with …" form's answer redirects
   * there, and browsers apply form-action to a form's redirects too. Its origin only; anything else is ignored.
   */
  oidcIssuer?: string | undefined;
};

function originOf(url: string | undefined): string[] {
  if (!url) return [];
  try {
    const u = new URL(url);
    return u.protocol === "https:" || u.protocol === "http:" ? [u.origin] : [];
  } catch {
    return [];
  }
}

/** 128 random bits, base64: unguessable and fresh for every request (CSP3 asks for at least 128 bits). */
export function createNonce(): string {
  const bytes = new Uint8Array(16);
  crypto.getRandomValues(bytes);
  return btoa(String.fromCharCode(...bytes));
}

/**
 * The Content-Security-Policy for one response. Next.js reads the nonce from this same header on the request and
 * stamps it on its own scripts; 'strict-dynamic' lets those scripts load the page's chunks, and hosts/'self' in
 * script-src are then ignored by CSP3 browsers ('self' stays as the fallback for CSP2 browsers).
 */
/**
 * sonner (the toasts) adds one fixed <style> element of its own when it loads; it cannot carry the nonce, so its
 * exact content is allowed by hash (components/ui/toast-csp.test.ts recomputes it from the installed sonner).
 */
export const SONNER_STYLE_HASH = "'sha256-StEaX+se6YS7pqjzrzMIA0KaX9zF/8zAhvQXZAe5epY='";
/** sonner appends its <style> empty, then fills it: the empty element is checked first (hash of ""). */
export const EMPTY_STYLE_HASH = "'sha256-47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU='";

export function contentSecurityPolicy(nonce: string, { nodeEnv, oidcIssuer }: HeaderOptions): string {
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(nonce)) throw new Error("CSP nonce must be base64");
  const dev = nodeEnv === "development";
  const directives: Record<string, string[]> = {
    "default-src": ["'self'"],
    // React's dev build uses eval to rebuild server error stacks; production needs neither eval nor inline scripts.
    "script-src": ["'self'", `'nonce-${nonce}'`, "'strict-dynamic'", ...(dev ? ["'unsafe-eval'"] : [])],
    // <style> elements need the nonce (Next.js stamps its own). `next dev` injects styles without one.
    "style-src": dev ? ["'self'", "'unsafe-inline'"] : ["'self'", `'nonce-${nonce}'`, SONNER_STYLE_HASH, EMPTY_STYLE_HASH],
    // style="" attributes are rendered by React on the server (progress bars, the overview's failure bars) and
    // cannot carry a nonce; allowing attributes only, not <style> elements, keeps CSS injection of selectors out.
    "style-src-attr": ["'unsafe-inline'"],
    // data: for inlined images (e.g. a QR code as a data URL); connector logos come from Basiq's CDN.
    "img-src": ["'self'", "data:", LOGO_ORIGIN],
    "font-src": ["'self'"],
    // Server actions, react-query polling and (in dev) the HMR socket are all same-origin.
    "connect-src": ["'self'"],
    "object-src": ["'none'"],
    "base-uri": ["'none'"],
    "form-action": ["'self'", ...originOf(oidcIssuer)],
    "frame-ancestors": ["'none'"],
  };
  return Object.entries(directives)
    .map(([name, values]) => `${name} ${values.join(" ")}`)
    .join("; ");
}

/**
 * Headers for every response the proxy sees (pages, RSC payloads, server actions, route handlers). Route handlers
 * with personal data also set Cache-Control themselves, so a narrower proxy matcher would not expose them.
 */
export function securityHeaders({ nodeEnv }: HeaderOptions): Record<string, string> {
  return {
    "X-Content-Type-Options": "nosniff",
    // Full referrer to ourselves (nothing to hide from our own server), none to anyone else: console URLs carry
    // user/connection ids and search terms, and logos load from a third party. Not `no-referrer`: under that
    // policy browsers send `Origin: null` on same-origin POSTs, which the server-action and purge origin checks
    // (NX-2) must refuse.
    "Referrer-Policy": "same-origin",
    "X-Frame-Options": "DENY", // for browsers without CSP frame-ancestors
    // Nothing in the console needs these; clipboard writes (copy-for-Basiq) stay allowed for our own origin.
    "Permissions-Policy": "camera=(), microphone=(), geolocation=(), payment=(), usb=()",
    "Cross-Origin-Opener-Policy": "same-origin",
    // Every page and payload is per-person and may carry personal data: never stored by browsers or proxies.
    "Cache-Control": "no-store",
    // Browsers ignore HSTS over plain http; only production builds are deployed behind https.
    ...(nodeEnv === "production"
      ? { "Strict-Transport-Security": "max-age=63072000; includeSubDomains" }
      : {}),
  };
}

/**
 * Headers Next.js itself adds to every response (next.config.ts `headers()`), including the ones the proxy never
 * sees or cannot finish: the build's static files, its own 404/500 pages and a response to a request the proxy
 * failed on (issue 14 item 11). No Cache-Control (static files are cached by design) and, since a per-request
 * nonce cannot live in a config file, a CSP of the directives that need none; on pages the proxy's full CSP comes
 * on top and a browser enforces both, which agree.
 */
export function baselineSecurityHeaders(options: HeaderOptions): Record<string, string> {
  const { "Cache-Control": _perPerson, ...rest } = securityHeaders(options);
  return { ...rest, "Content-Security-Policy": "object-src 'none'; base-uri 'none'; frame-ancestors 'none'" };
}
