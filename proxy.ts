// Security headers and the per-request CSP nonce (SECURITY.md NX-3), the way the Next.js CSP guide documents it:
// the CSP goes on the request too, so Next.js finds the nonce there and stamps it on its own scripts; `x-nonce`
// is for any <Script> we add later. This proxy never authorizes anything: every page, action and route handler
// checks the policy itself (lib/auth/policy.ts), and a matcher change must not be able to open anything.
import { type NextRequest, NextResponse } from "next/server";

import { contentSecurityPolicy, createNonce, securityHeaders } from "@/lib/security/headers";

export function proxy(request: NextRequest): NextResponse {
  const options = { nodeEnv: process.env.NODE_ENV };
  const nonce = createNonce();
  const csp = contentSecurityPolicy(nonce, options);

  const requestHeaders = new Headers(request.headers);
  requestHeaders.set("x-nonce", nonce); // overwrites anything a client sent under that name
  requestHeaders.set("Content-Security-Policy", csp);

  const response = NextResponse.next({ request: { headers: requestHeaders } });
  response.headers.set("Content-Security-Policy", csp);
  for (const [name, value] of Object.entries(securityHeaders(options))) response.headers.set(name, value);
  return response;
}

export const config = {
  // Everything but the build's immutable assets (hashed names, cached for a year by Next.js itself).
  matcher: ["/((?!_next/static|_next/image|favicon.ico).*)"],
};
