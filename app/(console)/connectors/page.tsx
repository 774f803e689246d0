import type { Metadata } from "next";
import Link from "next/link";

import { ConnectorLogo } from "@/components/connectors/connector-logo";
import { ConnectorStatusBadge } from "@/components/connectors/connector-status-badge";
import { BasiqProblemAlert } from "@/components/basiq/basiq-problem-alert";
import { env } from "@/lib/env";
import { Badge } from "@/components/ui/badge";
import { PageHeader } from "@/components/ui/page-header";
import { EmptyState } from "@/components/list/empty-state";
import { Table, Td, Th } from "@/components/ui/table";
import { guardPage } from "@/lib/auth/guard";
import { can } from "@/lib/auth/policy";
import { listConnectorStatuses } from "@/lib/dal/connectors";
import { currentBasiqOutage } from "@/lib/dal/basiq-problem";
import { parseConnectorsSearch, type RawSearchParams } from "@/lib/search-params";
import { When } from "@/components/ui/when";
import { groupByBank } from "@/lib/connectors/group";
import { CONNECTOR_METHOD, shown } from "@/lib/vocabulary";

import { refreshConnectorsAction } from "./actions";
import { ConnectorsToolbar } from "./_components/connectors-toolbar";

export const metadata: Metadata = { title: "Connectors" };

export default async function ConnectorsPage(props: { searchParams: Promise<RawSearchParams> }) {
  const caller = await guardPage("connectors.read", "/connectors");
  const search = parseConnectorsSearch(await props.searchParams);
  const list = await listConnectorStatuses(search);
  const banks = groupByBank(list.rows, search.sort ?? "attention");
  const attention = banks.filter((b) => b.status !== "operational" || b.spike).length;
  const jobsLink = can(caller.role, "jobs.read");
  return (
    <>
      <PageHeader
        title="Connectors"
        description={
          <>
            Every bank connector Basiq reports, with what our own job history says about it. Data from Basiq{" "}
            <span data-testid="connectors-age"><When value={list.fetchedAt} relative /></span>.
          </>
        }
      />
      <BasiqProblemAlert timeZone={env().consoleTimeZone} problem={list.problem} storedAt={list.fetchedAt} showing="the last known statuses" />
      <ConnectorsToolbar
        refresh={can(caller.role, "connectors.refresh") ? refreshConnectorsAction : null}
        unavailable={currentBasiqOutage() ? "Refreshing needs Basiq, which cannot be reached right now." : null}
      />
      <p className="mb-2 text-sm text-slate-600" data-testid="connectors-summary">
        {banks.length} banks · {list.rows.length} connectors (bank × method) · {attention} {attention === 1 ? "bank needs" : "banks need"} attention
      </p>
      <Table label="Connectors">
        <thead>
          <tr>
            <Th>Bank</Th>
            <Th>Methods, worst status first</Th>
            <Th>Stage · tier</Th>
            <Th>Failed jobs 24 h / 7 d</Th>
            <Th>Failing connections</Th>
            <Th>Features</Th>
          </tr>
        </thead>
        <tbody>
          {banks.length === 0 ? (
            <EmptyState
              colSpan={6}
              filtered={!!(search.q || search.status || search.stage || search.method)}
              clearHref="/connectors"
              noMatch="No connector matches these filters."
              empty={list.problem ? "No connector statuses known yet, and Basiq cannot be reached." : "No connector statuses known yet: they arrive with the next refresh from Basiq."}
            />
          ) : (
            banks.map((b) => (
              <tr key={b.id} className={b.status !== "operational" || b.spike ? "bg-amber-50/40" : undefined} data-testid="connector-row" data-status={b.status}>
                <Td>
                  <div className="flex items-center gap-2">
                    <ConnectorLogo src={b.logoUrl} name={b.name} />
                    <div>
                      <Link href={`/connectors/${b.id}/${b.methods[0]!.method}`} className="font-medium text-sky-800 hover:underline">
                        {b.name}
                      </Link>
                      <div className="font-mono text-xs text-slate-500">{b.id}</div>
                    </div>
                  </div>
                </Td>
                <Td>
                  <ul className="space-y-1.5">
                    {b.methods.map((m) => (
                      <li key={m.method} data-testid="connector-method" data-method={m.method} data-status={m.status}>
                        <div className="flex flex-wrap items-center gap-1">
                          <Link href={`/connectors/${m.id}/${m.method}`} className="text-sm text-sky-800 hover:underline">
                            {shown(CONNECTOR_METHOD, m.method)}
                          </Link>
                          <ConnectorStatusBadge status={m.status} />
                          {m.spike ? <Badge tone="bad">failure spike: likely bank-side</Badge> : null}
                        </div>
                        <div className="text-xs text-slate-500" data-testid="status-since">
                          {m.statusSinceObserved ? (
                            <>since <When value={m.statusSince} /></>
                          ) : (
                            <span title="Basiq does not say when a status began: this is when the console first saw it">
                              seen since <When value={m.statusSince} /> (first seen by the console)
                            </span>
                          )}
                        </div>
                      </li>
                    ))}
                  </ul>
                </Td>
                <Td>
                  {[...new Set(b.methods.map((m) => m.stage ?? "—"))].join(", ")} · {b.tier ? `tier ${b.tier}` : "—"}
                </Td>
                <Td>
                  {jobsLink ? (
                    <Link href={`/jobs?institution=${b.id}`} className="hover:underline" data-testid="bank-failures">
                      {b.failed24h} / {b.failed7d}
                    </Link>
                  ) : (
                    <span data-testid="bank-failures">
                      {b.failed24h} / {b.failed7d}
                    </span>
                  )}
                </Td>
                <Td>{b.connections > 0 ? `${b.failingConnections} of ${b.connections} (${Math.round((b.failingConnections / b.connections) * 100)}%)` : "—"}</Td>
                <Td className="text-xs text-slate-600">
                  <Features scopes={[...new Set(b.methods.flatMap((m) => m.scopes))].sort()} />
                </Td>
              </tr>
            ))
          )}
        </tbody>
      </Table>
      <p className="mt-2 text-xs text-slate-500">
        Failed jobs and failing connections count every method of the institution (Basiq jobs do not say which method ran).
      </p>
    </>
  );
}

/** A bank's features folded to their count (a dozen scopes per bank made the column a wall of text); open to read. */
function Features({ scopes }: { scopes: string[] }) {
  if (scopes.length === 0) return <>—</>;
  return (
    <details>
      <summary className="cursor-pointer whitespace-nowrap text-sky-800 hover:underline">
        {scopes.length} {scopes.length === 1 ? "feature" : "features"}
      </summary>
      <ul className="mt-1 space-y-0.5 break-all">
        {scopes.map((s) => (
          <li key={s}>{s}</li>
        ))}
      </ul>
    </details>
  );
}
