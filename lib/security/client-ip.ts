import "server-only";

// The caller's IP address (issue 14 item 3). `X-Forwarded-For` is anyone's to write, so it is believed only
// hop by hop from proxies listed in TRUSTED_PROXIES: starting from the socket address, each address that is a
// trusted proxy hands over to the hop it forwarded for, and the first (right-most) untrusted one is the client —
// proxy-addr (the Express project's implementation, with ipaddr.js CIDR matching) does exactly that. With no
// TRUSTED_PROXIES (the default) the socket address is the client, whatever the headers say.
//
// The socket address itself: Next.js does not give route handlers, server actions or proxy.ts the socket
// (`NextRequest.ip` no longer exists in Next 15/16, and Next only fills `x-forwarded-for` with it when the client
// sent none). So lib/security/peer-address.ts, installed by instrumentation.ts in the server process, stamps each
// incoming request with PEER_ADDRESS_HEADER = the socket's remote address, overwriting any value a client sent
// under that name, before Next.js sees the request. Without it (CLIs, tests that do not set it) the IP is
// unknown (null): never a header the client chose.
import proxyaddr from "proxy-addr";

export const PEER_ADDRESS_HEADER = "x-console-peer-address";

const compiled = new Map<string, (addr: string, i: number) => boolean>();

function trustFn(trusted: readonly string[]): (addr: string, i: number) => boolean {
  const key = trusted.join(",");
  let fn = compiled.get(key);
  if (!fn) {
    fn = proxyaddr.compile([...trusted]);
    compiled.set(key, fn);
  }
  return fn;
}

/** The client's address: the right-most hop not in `trusted`, starting from the socket address. */
export function clientIp(h: Headers, trusted: readonly string[]): string | null {
  const peer = h.get(PEER_ADDRESS_HEADER)?.trim();
  if (!peer) return null;
  const forwarded = h.get("x-forwarded-for") ?? undefined;
  // proxy-addr reads a Node request; only these two fields matter to it.
  const req = { headers: { "x-forwarded-for": forwarded }, socket: { remoteAddress: peer }, connection: { remoteAddress: peer } };
  try {
    return proxyaddr(req as unknown as Parameters<typeof proxyaddr>[0], trustFn(trusted)).slice(0, 64) || null;
  } catch {
    return peer.slice(0, 64);
  }
}
