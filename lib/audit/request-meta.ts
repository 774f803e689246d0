import "server-only";

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

export function metaFromHeaders(h: Headers): RequestMeta {
  const forwarded = h.get("x-forwarded-for")?.split(",")[0]?.trim();
  return {
    ip: (forwarded || h.get("x-real-ip") || null)?.slice(0, 64) ?? null,
    userAgent: h.get("user-agent")?.slice(0, 300) ?? null,
  };
}
