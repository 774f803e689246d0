// Security headers and the per-request CSP nonce (SECURITY.md NX-3), the way the Next.js CSP guide documents it:
// the CSP goes on the request too, so Next.js finds the nonce there and stamps it on its own scripts; `x-nonce`
// is for any <Script> we add later. This proxy never authorizes anything: every page, action and route handler
// checks the policy itself (lib/auth/policy.ts), and a matcher change must not be able to open anything.
//
// It also answers, before Next.js does with a 500 (issue 14 items 5 and 11; lib/security/request-checks.ts):
// - a malformed percent-escape in the path → 400;
// - a server-action body over Next's 1 MB limit → 413, or one Next cannot decode (not JSON, references to chunks
//   a text body cannot carry) → 400;
// - a server-action request whose Origin is not this host: the Origin is dropped, so that Next.js (which answers
//   a foreign Origin with a 500 but lets a missing one through) hands it to the action, where defineAction refuses
//   it with a 403 result and audits it when signed in.
import { type NextRequest, NextResponse } from "next/server";

import { contentSecurityPolicy, createNonce, securityHeaders } from "@/lib/security/headers";
import { ACTION_BODY_LIMIT_BYTES, actionTextBodyDecodes, originMatchesHost, pathDecodes } from "@/lib/security/request-checks";

function withHeaders(response: NextResponse, csp: string, options: { nodeEnv: string | undefined }): NextResponse {
  response.headers.set("Content-Security-Policy", csp);
  for (const [name, value] of Object.entries(securityHeaders(options))) response.headers.set(name, value);
  return response;
}

function refuse(status: 400 | 413, message: string): NextResponse {
  return new NextResponse(message, { status, headers: { "content-type": "text/plain; charset=utf-8", "cache-control": "no-store" } });
}

/** The body as text, or null when it is over `limit` bytes (read no further than that). */
async function readCapped(request: NextRequest, limit: number): Promise<string | null> {
  const declared = Number(request.headers.get("content-length") ?? "0");
  if (declared > limit) return null;
  const reader = request.clone().body?.getReader();
  if (!reader) return "";
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > limit) {
      // Not awaited: cancelling one branch of a cloned (tee'd) stream settles only when the other is cancelled too.
      reader.cancel().catch(() => {});
      return null;
    }
    chunks.push(value);
  }
  return new TextDecoder("utf-8", { fatal: false }).decode(Buffer.concat(chunks));
}

/** A refusal for a request Next.js would answer with a 500, or null. */
async function malformed(request: NextRequest): Promise<NextResponse | null> {
  const rawPath = new URL(request.url).pathname;
  if (!pathDecodes(rawPath)) return refuse(400, "Bad request: the address has a malformed %-escape.");
  if (request.method === "POST" && request.headers.has("next-action")) {
    const body = await readCapped(request, ACTION_BODY_LIMIT_BYTES);
    if (body === null) return refuse(413, "Request too large: an action's data is limited to 1 MB.");
    const multipart = (request.headers.get("content-type") ?? "").toLowerCase().startsWith("multipart/form-data");
    if (!multipart && !actionTextBodyDecodes(body)) return refuse(400, "Bad request: the action's data could not be read.");
  }
  return null;
}

export async function proxy(request: NextRequest): Promise<NextResponse> {
  const options = { nodeEnv: process.env.NODE_ENV, oidcIssuer: process.env.OIDC_ISSUER };
  const nonce = createNonce();
  const csp = contentSecurityPolicy(nonce, options);
  try {
    return await pass(request, nonce, csp, options);
  } catch (e) {
    // Next.js would answer a failing proxy with a bare 500; this one keeps the headers and says nothing more.
    // One line with the error's name only: a message could quote the request.
    console.error(JSON.stringify({ level: 50, msg: "proxy: unexpected failure", err: e instanceof Error ? e.name : "unknown" }));
    const failure = new NextResponse("Internal error.", { status: 500, headers: { "content-type": "text/plain; charset=utf-8" } });
    return withHeaders(failure, csp, options);
  }
}

async function pass(request: NextRequest, nonce: string, csp: string, options: { nodeEnv: string | undefined }): Promise<NextResponse> {
  const refusal = await malformed(request);
  if (refusal) return withHeaders(refusal, csp, options);

  const requestHeaders = new Headers(request.headers);
  requestHeaders.set("x-nonce", nonce); // overwrites anything a client sent under that name
  requestHeaders.set("Content-Security-Policy", csp);
  if (request.headers.has("next-action") && !originMatchesHost(request.headers.get("origin"), request.headers.get("host"))) {
    requestHeaders.delete("origin");
  }

  return withHeaders(NextResponse.next({ request: { headers: requestHeaders } }), csp, options);
}

export const config = {
  // Everything but the build's immutable assets (hashed names, cached for a year by Next.js itself).
  matcher: ["/((?!_next/static|_next/image|favicon.ico).*)"],
};
