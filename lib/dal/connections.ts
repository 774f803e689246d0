import "server-only";

// One connection, live from Basiq: its status explained, its connector's health, its accounts (names and masked
// numbers; balances only for roles allowed account details) and how fresh its data really is.
import { eq } from "drizzle-orm";

import { requirePermission } from "@/lib/auth/session";
import { can } from "@/lib/auth/policy";
import { basiq } from "@/lib/basiq";
import { isBasiqError, isBasiqNotFound } from "@/lib/basiq/errors";
import { getDb } from "@/lib/db";
import { basiqUsers } from "@/lib/db/schema";
import { NotFoundError } from "@/lib/errors";
import { freshness, type Freshness } from "@/lib/jobs/outcome";
import { CONNECTION_STATUS, term } from "@/lib/basiq/vocabulary";
import { log } from "@/lib/log";

import { basiqProblem, type BasiqProblemDTO } from "./basiq-problem";
import { basiqUserIdSchema, connectionIdSchema } from "./ids";
import { cachedConnectorStatus } from "./connectors";
import { liveUserJobs } from "./live";

/** One sentence for staff about a connection status; an unknown one is named raw, never hidden. */
export function connectionStatusExplained(status: string): string {
  const t = term(CONNECTION_STATUS, status);
  return t.known
    ? (t.explanation ?? t.label)
    : `Basiq reports the status "${status}", which this console does not know; Basiq's documentation may explain it.`;
}

export interface AccountSummaryDTO {
  id: string;
  name: string;
  maskedNumber: string;
  product: string | null;
  status: string;
  balance: string | null;
  currency: string | null;
  lastUpdated: string | null;
}

export interface ConnectorStatusDTO {
  id: string;
  method: string;
  name: string;
  status: string;
  stage: string | null;
  /** When Basiq could not be asked: when the stored status was fetched. */
  lastKnownFrom: string | null;
}

export interface ConnectionDetailDTO {
  userId: string;
  id: string;
  status: string;
  statusExplained: string;
  method: string;
  institutionId: string;
  createdDate: string | null;
  lastUsed: string | null;
  expiryDate: string | null;
  accounts: AccountSummaryDTO[] | null;
  showBalances: boolean;
  connector: ConnectorStatusDTO | null;
  connectorProblem: string | null;
  freshness: Freshness | null;
  freshnessProblem: string | null;
  /** Set when Basiq could not be reached: the connection is then the directory's copy, as of `storedAt`. */
  basiqProblem: BasiqProblemDTO | null;
  storedAt: string | null;
}

export function maskAccountNumber(accountNo: string): string {
  const digits = accountNo.replace(/\s/g, "");
  return digits.length <= 4 ? "••••" : `••••${digits.slice(-4)}`;
}

export async function getConnectionDetail(rawUserId: string, rawConnectionId: string): Promise<ConnectionDetailDTO> {
  const caller = await requirePermission("connections.read");
  const userId = basiqUserIdSchema.safeParse(rawUserId);
  const connectionId = connectionIdSchema.safeParse(rawConnectionId);
  if (!userId.success || !connectionId.success) throw new NotFoundError("That connection");
  const ctx = { userId: userId.data, connectionId: connectionId.data };
  const client = basiq();

  // Basiq answers 404 for a connection of another user: the connection must belong to the user in the URL.
  const [connectionResult, jobsResult] = await Promise.allSettled([
    client.getConnection(userId.data, connectionId.data, ctx),
    liveUserJobs(userId.data, connectionId.data),
  ]);
  if (connectionResult.status === "rejected") {
    const e = connectionResult.reason;
    if (isBasiqNotFound(e, { invalidIdToo: true })) throw new NotFoundError("That connection");
    if (!isBasiqError(e)) throw e;
    // Basiq down or slow: show what the directory knows about this connection rather than an error page.
    return fromDirectory(ctx, e, jobsResult, can(caller.role, "accounts.details"));
  }
  const connection = connectionResult.value;
  if (connection.links.user && !connection.links.user.includes(`/users/${userId.data}`)) {
    throw new NotFoundError("That connection");
  }

  let connector: ConnectorStatusDTO | null = null;
  let connectorProblem: string | null = null;
  try {
    connector = await cachedConnectorStatus(connection.institution.id, connection.method);
    if (!connector) connectorProblem = "Basiq lists no connector for this institution and method.";
  } catch (e) {
    connectorProblem = "Connector status unavailable right now.";
    log.warn({ ...ctx, err: (e as Error).name }, "connector status lookup failed");
  }

  const showBalances = can(caller.role, "accounts.details");
  const status = connection.status ?? "pending";
  return {
    userId: userId.data,
    id: connection.id,
    status,
    statusExplained: connectionStatusExplained(status),
    method: connection.method,
    institutionId: connection.institution.id,
    createdDate: connection.createdDate ?? null,
    lastUsed: connection.lastUsed ?? null,
    expiryDate: connection.expiryDate ?? null,
    accounts:
      connection.accounts?.data.map((a) => ({
        id: a.id,
        name: a.name ?? "",
        maskedNumber: maskAccountNumber(a.accountNo ?? ""),
        product: a.class?.product ?? null,
        status: a.status ?? "",
        balance: showBalances ? (a.balance ?? null) : null,
        currency: showBalances ? (a.currency ?? null) : null,
        lastUpdated: a.lastUpdated ?? null,
      })) ?? null,
    showBalances,
    connector,
    connectorProblem,
    freshness: jobsResult.status === "fulfilled" ? freshness(jobsResult.value.jobs) : null,
    freshnessProblem: jobsResult.status === "rejected" ? "Job history unavailable from Basiq right now." : null,
    basiqProblem: null,
    storedAt: null,
  };
}

/** The directory's copy of a connection (status, method, institution; no accounts) when Basiq failed. */
async function fromDirectory(
  ctx: { userId: string; connectionId: string },
  failure: unknown,
  jobsResult: PromiseSettledResult<Awaited<ReturnType<typeof liveUserJobs>>>,
  showBalances: boolean,
): Promise<ConnectionDetailDTO> {
  const db = await getDb();
  const [row] = await db
    .select({ connections: basiqUsers.connections, lastSyncedAt: basiqUsers.lastSyncedAt })
    .from(basiqUsers)
    .where(eq(basiqUsers.id, ctx.userId))
    .limit(1);
  const stored = row?.connections.find((c) => c.id === ctx.connectionId);
  // Not in the directory either: nothing to show, and nothing that says the connection exists.
  if (!stored) throw failure;
  log.warn({ ...ctx, correlationId: isBasiqError(failure) ? failure.correlationId : undefined }, "connection page rendered from the directory: Basiq call failed");
  const method = stored.method ?? "";
  let connector: ConnectorStatusDTO | null = null;
  let connectorProblem: string | null = "Connector status unavailable right now.";
  if (stored.institutionId && method) {
    try {
      connector = await cachedConnectorStatus(stored.institutionId, method);
      connectorProblem = connector ? null : "Basiq lists no connector for this institution and method.";
    } catch (e) {
      log.warn({ ...ctx, err: (e as Error).name }, "connector status lookup failed");
    }
  }
  return {
    userId: ctx.userId,
    id: stored.id,
    status: stored.status,
    statusExplained: connectionStatusExplained(stored.status),
    method,
    institutionId: stored.institutionId ?? "",
    createdDate: null,
    lastUsed: null,
    expiryDate: null,
    accounts: null,
    showBalances,
    connector,
    connectorProblem,
    freshness: jobsResult.status === "fulfilled" ? freshness(jobsResult.value.jobs) : null,
    freshnessProblem: jobsResult.status === "rejected" ? "Job history unavailable from Basiq right now." : null,
    basiqProblem: basiqProblem(failure),
    storedAt: row?.lastSyncedAt?.toISOString() ?? null,
  };
}
