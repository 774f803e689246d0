import "server-only";

// One connection, live from Basiq: its status explained, its connector's health, its accounts (names and masked
// numbers; balances only for roles allowed account details) and how fresh its data really is.
import { cache } from "react";

import { requirePermission } from "@/lib/auth/session";
import { can } from "@/lib/auth/policy";
import { basiq } from "@/lib/basiq";
import { NotFoundError } from "@/lib/errors";
import { freshness, type Freshness } from "@/lib/jobs/outcome";
import type { Connection } from "@/lib/basiq/schemas";
import { CONNECTION_STATUS, term } from "@/lib/vocabulary";
import { log } from "@/lib/log";

import type { BasiqProblemDTO } from "./basiq-problem";
import { basiqUserIdSchema, connectionIdSchema } from "./ids";
import { cachedConnectorStatus } from "./connectors";
import { liveUserJobs } from "./live";
import { liveOrStored, pageDeadline } from "./live-or-stored";
import { storedUserRow } from "./users";

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

/** The connection from Basiq within the page's deadline, once per request. Callers check the policy. */
const liveConnection = cache((userId: string, connectionId: string) =>
  basiq().getConnection(userId, connectionId, { userId, connectionId, signal: pageDeadline().signal }),
);

/** The connector's stored status, once per request (the page may ask before and after Basiq answers). */
const connectorStatusOnce = cache((institutionId: string, method: string) => cachedConnectorStatus(institutionId, method));

/** What the connection page shows before Basiq answers: the directory's copy of the connection. */
export interface ConnectionShellDTO {
  userId: string;
  id: string;
  status: string;
  method: string;
  institutionId: string;
}

function parseIds(rawUserId: string, rawConnectionId: string) {
  const userId = basiqUserIdSchema.safeParse(rawUserId);
  const connectionId = connectionIdSchema.safeParse(rawConnectionId);
  if (!userId.success || !connectionId.success) throw new NotFoundError("That connection");
  return { userId: userId.data, connectionId: connectionId.data };
}

/**
 * The connection page's first step (issues 15 and 18 item 14). Starts every Basiq call the page needs at once —
 * the connection, its job history (freshness, refresh budget and the history section share it) and, when the
 * directory knows the bank, the connector's status — then answers from the directory's copy so the page streams
 * its shell while the live sections wait. A connection the directory does not list under this user is decided
 * by Basiq before anything is sent: another user's or an unknown connection is a real 404 (NotFoundError).
 */
export async function getConnectionShell(rawUserId: string, rawConnectionId: string): Promise<ConnectionShellDTO> {
  await requirePermission("connections.read");
  const ids = parseIds(rawUserId, rawConnectionId);
  liveConnection(ids.userId, ids.connectionId).catch(() => {}); // the live section reports failures
  liveUserJobs(ids.userId, ids.connectionId).catch(() => {});
  const stored = (await storedUserRow(ids.userId))?.connections.find((c) => c.id === ids.connectionId);
  if (stored?.institutionId && stored.method) connectorStatusOnce(stored.institutionId, stored.method).catch(() => {});
  if (stored) {
    return { userId: ids.userId, id: stored.id, status: stored.status, method: stored.method ?? "", institutionId: stored.institutionId ?? "" };
  }
  const c = await getConnectionDetail(ids.userId, ids.connectionId);
  return { userId: c.userId, id: c.id, status: c.status, method: c.method, institutionId: c.institutionId };
}

export async function getConnectionDetail(rawUserId: string, rawConnectionId: string): Promise<ConnectionDetailDTO> {
  const caller = await requirePermission("connections.read");
  const ids = parseIds(rawUserId, rawConnectionId);
  const userId = { data: ids.userId };
  const connectionId = { data: ids.connectionId };
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
    live: () => liveConnection(userId.data, connectionId.data),
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
      const row = await storedUserRow(ctx.userId);
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
      connector = await connectorStatusOnce(c.institutionId, c.method);
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
