import "server-only";

// Same-origin check for destructive actions (SECURITY.md NX-2). Next.js compares Origin with Host for server
// actions but lets a request with no Origin through; a purge must come from our own pages, so no Origin = no.
import { headers } from "next/headers";

export async function isSameOriginRequest(): Promise<boolean> {
  const h = await headers();
  const origin = h.get("origin");
  if (!origin || origin === "null") return false;
  // Host only: X-Forwarded-Host is set by whoever sends the request. A proxy in front must pass Host through.
  const host = h.get("host");
  if (!host) return false;
  try {
    return new URL(origin).host === host;
  } catch {
    return false;
  }
}
