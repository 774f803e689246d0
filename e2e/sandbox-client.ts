// Talks to the e2e sandbox directly (never through the console): known plaintext for assertions, faults, stats.
export const sandboxUrl = `http://127.0.0.1:${process.env.E2E_SANDBOX_PORT ?? "4110"}`;

export interface SandboxUser {
  id: string;
  email: string;
  mobile: string;
  firstName: string;
  lastName: string;
}

async function token(): Promise<string> {
  const res = await fetch(`${sandboxUrl}/token`, {
    method: "POST",
    headers: { Authorization: "Basic sandbox-key", "basiq-version": "3.0", "Content-Type": "application/x-www-form-urlencoded" },
    body: "scope=SERVER_ACCESS",
  });
  return ((await res.json()) as { access_token: string }).access_token;
}

export async function sandboxUser(index: number): Promise<SandboxUser> {
  const ids = ((await (await fetch(`${sandboxUrl}/__sandbox/users?offset=${index}&limit=1`)).json()) as { ids: string[] }).ids;
  const res = await fetch(`${sandboxUrl}/users/${ids[0]}`, { headers: { Authorization: `Bearer ${await token()}` } });
  return (await res.json()) as SandboxUser;
}

export async function injectFault(fault: Record<string, unknown>): Promise<void> {
  const res = await fetch(`${sandboxUrl}/__sandbox/faults`, {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify(fault),
  });
  if (!res.ok) throw new Error(`fault refused: ${res.status} ${await res.text()}`);
}

export async function clearFaults(): Promise<void> {
  await fetch(`${sandboxUrl}/__sandbox/faults`, { method: "DELETE" });
}

export async function sandboxConnectionStatuses(userId: string): Promise<string[]> {
  const res = await fetch(`${sandboxUrl}/users/${userId}/connections`, { headers: { Authorization: `Bearer ${await token()}` } });
  const body = (await res.json()) as { data?: { status?: string }[] };
  return (body.data ?? []).map((c) => c.status ?? "pending");
}

export interface SandboxPersona {
  userId: string;
  name: string;
  demonstrates: string;
  connectionId: string | null;
  failedJobId: string | null;
  failedStep: string | null;
}

export async function sandboxPersonas(): Promise<SandboxPersona[]> {
  return (await (await fetch(`${sandboxUrl}/__sandbox/personas`)).json()) as SandboxPersona[];
}

export async function sandboxStats(): Promise<Record<string, number>> {
  return (await (await fetch(`${sandboxUrl}/__sandbox/stats`)).json()) as Record<string, number>;
}

/** An active connection of the first users, skipping those listed. */
export async function activeSandboxConnection(skipUsers: number, method?: string): Promise<{ userId: string; connectionId: string }> {
  const ids = ((await (await fetch(`${sandboxUrl}/__sandbox/users?offset=${skipUsers}&limit=100`)).json()) as { ids: string[] }).ids;
  for (const userId of ids) {
    const res = await fetch(`${sandboxUrl}/users/${userId}/connections`, { headers: { Authorization: `Bearer ${await token()}` } });
    const body = (await res.json()) as { data?: { id: string; status?: string; method?: string }[] };
    const c = (body.data ?? []).find((x) => x.status === "active" && (!method || x.method === method));
    if (c) return { userId, connectionId: c.id };
  }
  throw new Error("no active connection found");
}

/** A user (from the `skipUsers`-th on) with an active consent: its user and consent ids. */
export async function activeSandboxConsent(skipUsers: number): Promise<{ userId: string; consentId: string }> {
  const ids = ((await (await fetch(`${sandboxUrl}/__sandbox/users?offset=${skipUsers}&limit=100`)).json()) as { ids: string[] }).ids;
  for (const userId of ids) {
    const res = await fetch(`${sandboxUrl}/users/${userId}/consents`, { headers: { Authorization: `Bearer ${await token()}` } });
    const body = (await res.json()) as { data?: { id: string; status?: string }[] };
    const c = (body.data ?? []).find((x) => x.status === "active");
    if (c) return { userId, consentId: c.id };
  }
  throw new Error("no active consent found");
}
