import { env } from "@/lib/env";

import { ConnectorStatusBadge } from "@/components/connectors/connector-status-badge";
import { Alert } from "@/components/ui/alert";
import { Badge } from "@/components/ui/badge";
import { Card, CardTitle } from "@/components/ui/card";
import { EmptyRow, Table, Td, Th } from "@/components/ui/table";
import { Skeleton, TableSkeleton } from "@/components/ui/skeleton";
import { can } from "@/lib/auth/policy";
import type { CurrentStaff } from "@/lib/auth/session";
import { ConnectionActions } from "@/components/connections/connection-actions";
import { getConnectionDetail } from "@/lib/dal/connections";
import { getInstitutionNames, getStoredUserName } from "@/lib/dal/names";
import { getRefreshBudget } from "@/lib/dal/refresh";
import { unknownPurgeOutcome } from "@/lib/dal/purge";
import { formatMoney } from "@/lib/format";
import { When } from "@/components/ui/when";

import { purgeConnectionAction, refreshConnectionAction } from "../actions";
import { BasiqProblemAlert } from "@/components/basiq/basiq-problem-alert";
import { PurgedNotice } from "@/components/connections/purged-notice";
import { getPurgedState } from "@/lib/purge/purged-state";
import { currentBasiqOutage } from "@/lib/dal/basiq-problem";

/** Shown while Basiq is asked for the connection (the page's shell is already on screen). */
export function ConnectionLiveSkeleton() {
  return (
    <div data-testid="connection-loading">
      <div className="grid gap-4 lg:grid-cols-3">
        {["Status", "Data freshness", "Connector"].map((title) => (
          <Card key={title}>
            <CardTitle>{title}</CardTitle>
            <Skeleton className="mb-2 h-4 w-3/4" />
            <Skeleton className="h-4 w-1/2" />
          </Card>
        ))}
      </div>
      <h2 className="mb-2 mt-6 text-sm font-semibold text-slate-700">Accounts</h2>
      <TableSkeleton rows={3} columns={5} />
    </div>
  );
}

/**
 * Everything on the connection page that needs Basiq's answer (status, freshness, connector, accounts, refresh and
 * purge), streamed behind the page's shell. The refresh budget and the freshness card use the page's one read of
 * the job history, started with the connection: one Basiq round trip in all.
 */
export async function ConnectionLiveSection({ caller, userId, connectionId }: { caller: CurrentStaff; userId: string; connectionId: string }) {
  const [c, bankNames, personName] = await Promise.all([
    getConnectionDetail(userId, connectionId),
    getInstitutionNames(),
    getStoredUserName(userId).catch(() => null),
  ]);
  const bankName = c.connector?.name ?? bankNames[c.institutionId] ?? c.institutionId;
  const f = c.freshness;
  const canRefresh = can(caller.role, "connections.refresh");
  const canPurge = can(caller.role, "connections.purge");
  const [budget, purgeUnknown, purged] = await Promise.all([
    canRefresh ? getRefreshBudget(c.id, c.method, c.userId) : null,
    canPurge ? unknownPurgeOutcome(c.userId, c.id) : null,
    getPurgedState(c.id),
  ]);
  const outage = currentBasiqOutage();
  const accounts = purged ? [] : c.accounts;
  return (
    <div data-testid="connection-live">
      <BasiqProblemAlert timeZone={env().consoleTimeZone} problem={c.basiqProblem} storedAt={c.storedAt} showing="the directory copy">
        Accounts and dates need Basiq; the status is as of the last sync.
      </BasiqProblemAlert>
      {purged ? <PurgedNotice purged={purged} /> : null}
      {purgeUnknown ? (
        <Alert tone="warn" title="Last purge: outcome unknown — check the connection" className="mb-4">
          <span data-testid="purge-unknown">
            {purgeUnknown.message} Recorded <When value={purgeUnknown.at} />. Check at Basiq whether the data is gone
            before purging again.
          </span>
        </Alert>
      ) : null}
      {canRefresh || canPurge ? (
        <div className="mb-4">
          <ConnectionActions
            userId={c.userId}
            connectionId={c.id}
            status={c.status}
            budget={budget}
            canPurge={canPurge}
            signedInAt={caller.signedInAt}
            personName={personName}
            bankName={bankName}
            refresh={canRefresh ? refreshConnectionAction : null}
            purge={canPurge ? purgeConnectionAction : null}
            purgeBlocked={purged ? "Already purged: nothing to purge until a refresh brings data back." : null}
            unavailable={outage ? "Refresh and purge need Basiq, which cannot be reached right now." : null}
          />
        </div>
      ) : null}
      <div className="grid gap-4 lg:grid-cols-3">
        <Card>
          <CardTitle>Status</CardTitle>
          <p className="text-sm" data-testid="status-explained">
            {c.basiqProblem
              ? `Last known status "${c.status}", from the directory copy: Basiq cannot be asked now, so whether the connection works now is not known.`
              : c.statusExplained}
          </p>
          <dl className="mt-3 space-y-1 text-sm">
            <div className="flex justify-between gap-2">
              <dt className="text-slate-500">Created</dt>
              <dd><When value={c.createdDate} /></dd>
            </div>
            <div className="flex justify-between gap-2">
              <dt className="text-slate-500">Last used</dt>
              <dd><When value={c.lastUsed} /></dd>
            </div>
            <div className="flex justify-between gap-2">
              <dt className="text-slate-500">Consent expires</dt>
              <dd><When value={c.expiryDate} /></dd>
            </div>
          </dl>
        </Card>
        <Card>
          <CardTitle>Data freshness</CardTitle>
          {f ? (
            <div className="space-y-2 text-sm" data-testid="freshness">
              <p>
                {purged ? (
                  <Badge tone="info">purged</Badge>
                ) : f.staleness === "fresh" ? (
                  <Badge tone="good">fresh</Badge>
                ) : f.staleness === "stale" ? (
                  <Badge tone="bad">
                    <span>
                      stale: last success <When value={f.lastSuccessAt} relative />
                    </span>
                  </Badge>
                ) : f.staleness === "never" ? (
                  <Badge tone="bad">no successful retrieval on record</Badge>
                ) : (
                  <Badge>no jobs on record</Badge>
                )}
              </p>
              <dl className="space-y-1">
                <div className="flex justify-between gap-2">
                  <dt className="text-slate-500">Last successful retrieval</dt>
                  <dd>{f.lastSuccessAt ? (<><When value={f.lastSuccessAt} /> (<When value={f.lastSuccessAt} relative />)</>) : "—"}</dd>
                </div>
                <div className="flex justify-between gap-2">
                  <dt className="text-slate-500">Last attempt</dt>
                  <dd>
                    {f.lastAttemptAt ? (<><When value={f.lastAttemptAt} /> · {f.lastAttemptOutcome}</>) : "—"}
                  </dd>
                </div>
              </dl>
              {c.status === "active" && f.staleness !== "fresh" ? (
                <p className="text-xs text-amber-800">
                  The status says active but the data is not fresh: do not tell the user all is well.
                </p>
              ) : null}
            </div>
          ) : (
            <p className="text-sm text-slate-600">{c.freshnessProblem}</p>
          )}
        </Card>
        <Card>
          <CardTitle>Connector</CardTitle>
          {c.connector ? (
            <div className="space-y-1 text-sm">
              <p>
                {c.connector.name ?? c.connector.id} <span className="font-mono text-xs text-slate-500">{c.connector.id}</span>
              </p>
              <p className="flex items-center gap-2">
                <ConnectorStatusBadge status={c.connector.status} />
                {c.connector.stage ? <Badge>{c.connector.stage}</Badge> : null}
              </p>
              {c.connector.lastKnownFrom ? (
                <p className="text-xs text-amber-800">Basiq unavailable: last known status, from <When value={c.connector.lastKnownFrom} />.</p>
              ) : null}
            </div>
          ) : (
            <p className="text-sm text-slate-600">{c.connectorProblem}</p>
          )}
        </Card>
      </div>

      <h2 className="mb-2 mt-6 text-sm font-semibold text-slate-700">Accounts</h2>
      <Table label="Accounts">
        <thead>
          <tr>
            <Th>Account</Th>
            <Th>Number</Th>
            <Th>Product</Th>
            <Th>Status</Th>
            {c.showBalances ? <Th>Balance</Th> : null}
            <Th>Updated</Th>
          </tr>
        </thead>
        <tbody>
          {!accounts || accounts.length === 0 ? (
            <EmptyRow colSpan={c.showBalances ? 6 : 5}>
              {purged
                ? "Data purged: no accounts until a refresh brings data back."
                : c.basiqProblem
                  ? "Accounts unavailable: Basiq could not be reached."
                  : "No accounts from this connection (never retrieved, or purged)."}
            </EmptyRow>
          ) : (
            accounts.map((a) => (
              <tr key={a.id}>
                <Td>{a.name}</Td>
                <Td className="font-mono text-xs">{a.maskedNumber}</Td>
                <Td>{a.product ?? "—"}</Td>
                <Td>{a.status}</Td>
                {c.showBalances ? (
                  <Td className="whitespace-nowrap">
                    <span data-testid="account-balance">{formatMoney(a.balance, a.currency)}</span>
                  </Td>
                ) : null}
                <Td className="whitespace-nowrap"><When value={a.lastUpdated} /></Td>
              </tr>
            ))
          )}
        </tbody>
      </Table>
      {!c.showBalances ? <p className="mt-2 text-xs text-slate-500">Balances are visible to support and admin roles.</p> : null}
    </div>
  );
}
