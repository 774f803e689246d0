import "server-only";

import { env } from "@/lib/env";
import { clientIp } from "@/lib/security/client-ip";

export interface RequestMeta {
  ip: string | null;
  userAgent: string | null;
}

/** The caller's address and user agent when running inside a request; nulls in CLIs and background work. */
export async function requestMeta(): Promise<RequestMeta> {
  try {
    const { headers } = await import("next/headers");
    const h = await headers();
    return metaFromHeaders(h);
  } catch {
    return { ip: null, userAgent: null };
  }
}

/** The client IP: the socket address, or the right-most untrusted X-Forwarded-For hop behind TRUSTED_PROXIES. */
export function metaFromHeaders(h: Headers): RequestMeta {
  return {
    ip: clientIp(h, env().trustedProxies),
    userAgent: h.get("user-agent")?.slice(0, 300) ?? null,
  };
}
