import "server-only";

// Same-origin check of every state-changing server action (SECURITY.md NX-2, issue 14 item 5): defineAction and
// the four actions that cannot use it (sign-in, sign-out, the two second-factor steps) refuse a request whose
// Origin is missing, `null`, malformed or another host. Next.js itself lets a missing Origin through.
import { headers } from "next/headers";

import { originMatchesHost } from "./request-checks";

export async function isSameOriginRequest(): Promise<boolean> {
  const h = await headers();
  // Host only: X-Forwarded-Host is set by whoever sends the request. A proxy in front must pass Host through.
  return originMatchesHost(h.get("origin"), h.get("host"));
}
