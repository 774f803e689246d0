import type { Metadata } from "next";
import Link from "next/link";

import { env } from "@/lib/env";
import { notFound } from "next/navigation";
import { Suspense } from "react";

import { ConnectorStatusBadge } from "@/components/connectors/connector-status-badge";
import { Alert } from "@/components/ui/alert";
import { Badge } from "@/components/ui/badge";
import { Card, CardTitle } from "@/components/ui/card";
import { PageHeader } from "@/components/ui/page-header";
import { EmptyRow, Table, Td, Th } from "@/components/ui/table";
import { ConnectionStatusBadge } from "@/components/users/status-badge";
import { JobHistorySection } from "@/components/jobs/job-history-section";
import { TableSkeleton } from "@/components/ui/skeleton";
import { WatchButton } from "@/components/alerts/watch-button";
import { guardPage } from "@/lib/auth/guard";
import { isWatched } from "@/lib/dal/alerts";
import { can } from "@/lib/auth/policy";
import { ConnectionActions } from "@/components/connections/connection-actions";
import { getConnectionDetail } from "@/lib/dal/connections";
import { getInstitutionNames, getStoredUserName } from "@/lib/dal/names";
import { IdWithCopy } from "@/components/ui/copy-button";
import { getRefreshBudget } from "@/lib/dal/refresh";
import { unknownPurgeOutcome } from "@/lib/dal/purge";
import { NotFoundError } from "@/lib/errors";
import { formatMoney } from "@/lib/format";
import { When } from "@/components/ui/when";

import { purgeConnectionAction, refreshConnectionAction } from "./actions";
import { BasiqProblemAlert } from "@/components/basiq/basiq-problem-alert";

/** "Monica Hall · Connection" in the tab, for roles that may open the user. */
export async function generateMetadata(props: { params: Promise<{ userId: string }> }): Promise<Metadata> {
  const { userId } = await props.params;
  const name = await getStoredUserName(userId).catch(() => null);
  return { title: name ? `${name} · Connection` : "Connection" };
}

export default async function ConnectionPage(props: { params: Promise<{ userId: string; connectionId: string }> }) {
  const { userId, connectionId } = await props.params;
  const caller = await guardPage("connections.read", `/users/${encodeURIComponent(userId)}/connections/${encodeURIComponent(connectionId)}`);
  const [c, bankNames, personName] = await Promise.all([
    getConnectionDetail(userId, connectionId).catch((e: unknown) => {
      if (e instanceof NotFoundError) notFound();
      throw e;
    }),
    getInstitutionNames(),
    getStoredUserName(userId).catch(() => null),
  ]);
  const bankName = c.connector?.name ?? bankNames[c.institutionId] ?? c.institutionId;
  const f = c.freshness;
  const canRefresh = can(caller.role, "connections.refresh");
  const canPurge = can(caller.role, "connections.purge");
  const budget = canRefresh ? await getRefreshBudget(c.id, c.method, c.userId) : null;
  const purgeUnknown = canPurge ? await unknownPurgeOutcome(c.userId, c.id) : null;
  const watched = can(caller.role, "alerts.watch") ? await isWatched(c.userId, c.id).catch(() => false) : null;
  return (
    <>
      <nav className="mb-2 flex gap-3 text-sm">
        <Link href="/users" className="text-sky-700 hover:underline">
          Users
        </Link>
        <span aria-hidden>/</span>
        <Link href={`/users/${encodeURIComponent(c.userId)}`} className="text-sky-700 hover:underline" data-testid="breadcrumb-user">
          {personName ?? "User"}
        </Link>
      </nav>
      <PageHeader
        title={
          <span className="flex flex-wrap items-center gap-x-3 gap-y-1">
            {bankName} <ConnectionStatusBadge status={c.status} />
          </span>
        }
        description={
          <span className="flex flex-wrap items-center gap-2 text-xs">
            <IdWithCopy id={c.id} label="Copy connection id" />
            <span>
              {c.institutionId} · {c.method === "openbanking" ? "open banking" : c.method}
            </span>
          </span>
        }
        actions={watched !== null ? <WatchButton userId={c.userId} connectionId={c.id} watched={watched} /> : undefined}
      />
      <BasiqProblemAlert timeZone={env().consoleTimeZone} problem={c.basiqProblem} storedAt={c.storedAt} showing="the directory copy">
        Accounts and dates need Basiq; the status is as of the last sync.
      </BasiqProblemAlert>
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
          />
        </div>
      ) : null}
      <div className="grid gap-4 lg:grid-cols-3">
        <Card>
          <CardTitle>Status</CardTitle>
          <p className="text-sm" data-testid="status-explained">
            {c.statusExplained}
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
                {f.staleness === "fresh" ? (
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
                  The status says active but the data is not fresh: check the job history before telling the user all is well.
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
              {c.connector.status !== "operational" ? (
                <p className="text-xs text-amber-800">
                  The bank&apos;s connector is not fully operational: failures now are likely on the bank&apos;s side. Do not ask the user
                  for new credentials; wait and retry later.
                </p>
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
          {!c.accounts || c.accounts.length === 0 ? (
            <EmptyRow colSpan={c.showBalances ? 6 : 5}>
              {c.basiqProblem ? "Accounts unavailable: Basiq could not be reached." : "No accounts from this connection (never retrieved, or purged)."}
            </EmptyRow>
          ) : (
            c.accounts.map((a) => (
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
      {can(caller.role, "jobs.read") ? (
        <section className="mt-6">
          <h2 className="mb-2 text-sm font-semibold text-slate-700">Job history of this connection (checked with Basiq now)</h2>
          <Suspense fallback={<TableSkeleton rows={4} columns={5} />}>
            <JobHistorySection userId={c.userId} connectionId={c.id} />
          </Suspense>
        </section>
      ) : null}
    </>
  );
}
