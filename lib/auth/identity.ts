import "server-only";

// Who the session cookie says is calling: a staff id and when they signed in. Nothing else is trusted from it.
import { auth } from "./config";

export interface SessionIdentity {
  staffId: string;
  signedInAt: number;
}

export async function getSessionIdentity(): Promise<SessionIdentity | null> {
  const session = (await auth()) as { user?: { id?: string }; signedInAt?: number } | null;
  const staffId = session?.user?.id;
  if (!staffId || !/^[0-9a-f-]{36}$/i.test(staffId)) return null;
  return { staffId, signedInAt: session.signedInAt ?? 0 };
}
