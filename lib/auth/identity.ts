import "server-only";

// What the session cookie says: a server-side session id and the staff id it was issued to. Nothing else is
// trusted from it; lib/auth/session.ts checks the session row (lib/auth/server-sessions.ts) on every request.
import { auth } from "./config";

export interface SessionIdentity {
  sessionId: string;
  staffId: string;
}

export async function getSessionIdentity(): Promise<SessionIdentity | null> {
  const session = (await auth()) as { user?: { id?: string }; sessionId?: unknown } | null;
  const staffId = session?.user?.id;
  const sessionId = session?.sessionId;
  if (!staffId || !/^[0-9a-f-]{36}$/i.test(staffId)) return null;
  if (typeof sessionId !== "string" || !/^[A-Za-z0-9_-]{43}$/.test(sessionId)) return null;
  return { sessionId, staffId };
}
