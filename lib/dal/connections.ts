import "server-only";

// One connection, live from Basiq: its status explained, its connector's health, its accounts (names and masked
// numbers; balances only for roles allowed account details) and how fresh its data really is.
import { eq } from "drizzle-orm";

import { requirePermission } from "@/lib/auth/session";
import { can } from "@/lib/auth/policy";
import { basiq } from "@/lib/basiq";
import { getDb } from "@/lib/db";
import { basiqUsers } from "@/lib/db/schema";
import { NotFoundError } from "@/lib/errors";
import { freshness, type Freshness } from "@/lib/jobs/outcome";
import type { Connection } from "@/lib/basiq/schemas";
import { CONNECTION_STATUS, term } from "@/lib/vocabulary";
import { log } from "@/lib/log";

import type { BasiqProblemDTO } from "./basiq-problem";
import { basiqUserIdSchema, connectionIdSchema } from "./ids";
import { cachedConnectorStatus } from "./connectors";
import { liveUserJobs } from "./live";
import { liveOrStored } from "./live-or-stored";

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

/** The part of a connection that is either live or the directory's copy. */
interface ConnectionCore {
  id: string;
  status: string;
  method: string;
  institutionId: string;
  createdDate: string | null;
  lastUsed: string | null;
  expiryDate: string | null;
  accounts: AccountSummaryDTO[] | null;
}

export async function getConnectionDetail(rawUserId: string, rawConnectionId: string): Promise<ConnectionDetailDTO> {
  const caller = await requirePermission("connections.read");
  const userId = basiqUserIdSchema.safeParse(rawUserId);
  const connectionId = connectionIdSchema.safeParse(rawConnectionId);
  if (!userId.success || !connectionId.success) throw new NotFoundError("That connection");
  const ctx = { userId: userId.data, connectionId: connectionId.data };
  const showBalances = can(caller.role, "accounts.details");
  // The connection and its job history are asked for at once (the freshness card and the history share one call).
  const jobs = liveUserJobs(userId.data, connectionId.data).then(
    (value) => ({ ok: true as const, jobs: value.jobs }),
    () => ({ ok: false as const }),
  );

  const result = await liveOrStored<Connection, ConnectionCore>({
    what: "That connection",
    ids: ctx,
    // Basiq answers 404 (or 400) for a connection of another user: it must belong to the user in the URL.
    invalidIdIsNotFound: true,
    live: (signal) => basiq().getConnection(userId.data, connectionId.data, { ...ctx, signal }),
    fromLive: (connection) => {
      if (connection.links.user && !connection.links.user.includes(`/users/${userId.data}`)) {
        throw new NotFoundError("That connection");
      }
      return {
        id: connection.id,
        status: connection.status ?? "pending",
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
      };
    },
    stored: async () => {
      const db = await getDb();
      const [row] = await db
        .select({ connections: basiqUsers.connections, lastSyncedAt: basiqUsers.lastSyncedAt })
        .from(basiqUsers)
        .where(eq(basiqUsers.id, ctx.userId))
        .limit(1);
      const stored = row?.connections.find((c) => c.id === ctx.connectionId);
      // Not in the directory either: nothing to show, and nothing that says the connection exists.
      if (!stored) return null;
      const core: ConnectionCore = {
        id: stored.id,
        status: stored.status,
        method: stored.method ?? "",
        institutionId: stored.institutionId ?? "",
        createdDate: null,
        lastUsed: null,
        expiryDate: null,
        accounts: null,
      };
      return { data: core, storedAt: row?.lastSyncedAt ?? null };
    },
  });

  const c = result.data;
  let connector: ConnectorStatusDTO | null = null;
  let connectorProblem: string | null = "Connector status unavailable right now.";
  if (c.institutionId && c.method) {
    try {
      connector = await cachedConnectorStatus(c.institutionId, c.method);
      connectorProblem = connector ? null : "Basiq lists no connector for this institution and method.";
    } catch (e) {
      log.warn({ ...ctx, err: (e as Error).name }, "connector status lookup failed");
    }
  }
  const history = await jobs;
  return {
    userId: userId.data,
    ...c,
    statusExplained: connectionStatusExplained(c.status),
    showBalances,
    connector,
    connectorProblem,
    freshness: history.ok ? freshness(history.jobs) : null,
    freshnessProblem: history.ok ? null : "Job history unavailable from Basiq right now.",
    basiqProblem: result.problem,
    storedAt: result.storedAt,
  };
}
