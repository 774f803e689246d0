import type { Metadata } from "next";
import Link from "next/link";

import { ConnectorLogo } from "@/components/connectors/connector-logo";
import { ConnectorStatusBadge } from "@/components/connectors/connector-status-badge";
import { BasiqProblemAlert } from "@/components/basiq/basiq-problem-alert";
import { env } from "@/lib/env";
import { Badge } from "@/components/ui/badge";
import { PageHeader } from "@/components/ui/page-header";
import { EmptyRow, Table, Td, Th } from "@/components/ui/table";
import { guardPage } from "@/lib/auth/guard";
import { can } from "@/lib/auth/policy";
import { listConnectorStatuses } from "@/lib/dal/connectors";
import { parseConnectorsSearch, type RawSearchParams } from "@/lib/search-params";
import { When } from "@/components/ui/when";

import { refreshConnectorsAction } from "./actions";
import { ConnectorsToolbar } from "./_components/connectors-toolbar";

export const metadata: Metadata = { title: "Connectors" };

export default async function ConnectorsPage(props: { searchParams: Promise<RawSearchParams> }) {
  const caller = await guardPage("connectors.read", "/connectors");
  const search = parseConnectorsSearch(await props.searchParams);
  const list = await listConnectorStatuses(search);
  const attention = list.rows.filter((c) => c.status !== "operational" || c.spike).length;
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
      <ConnectorsToolbar refresh={can(caller.role, "connectors.refresh") ? refreshConnectorsAction : null} />
      <p className="mb-2 text-sm text-slate-600" data-testid="connectors-summary">
        {list.rows.length} connectors · {attention} need attention
      </p>
      <Table label="Connectors">
        <thead>
          <tr>
            <Th>Connector</Th>
            <Th>Method</Th>
            <Th>Status</Th>
            <Th>Stage · tier</Th>
            <Th>Failed jobs 24 h / 7 d</Th>
            <Th>Failing connections</Th>
            <Th>Features</Th>
          </tr>
        </thead>
        <tbody>
          {list.rows.length === 0 ? (
            <EmptyRow colSpan={7}>{list.problem ? "No connector statuses known yet, and Basiq cannot be reached." : "No connector matches these filters."}</EmptyRow>
          ) : (
            list.rows.map((c) => (
              <tr key={`${c.id}/${c.method}`} className={c.status !== "operational" || c.spike ? "bg-amber-50/40" : undefined} data-testid="connector-row">
                <Td>
                  <div className="flex items-center gap-2">
                    <ConnectorLogo src={c.logoUrl} name={c.name} />
                    <div>
                      <Link href={`/connectors/${c.id}/${c.method}`} className="font-medium text-sky-800 hover:underline">
                        {c.name}
                      </Link>
                      <div className="font-mono text-xs text-slate-500">{c.id}</div>
                    </div>
                  </div>
                </Td>
                <Td>{c.method === "openbanking" ? "Open banking" : c.method}</Td>
                <Td>
                  <div className="flex flex-wrap gap-1">
                    <ConnectorStatusBadge status={c.status} />
                    {c.spike ? <Badge tone="bad">failure spike: likely bank-side</Badge> : null}
                  </div>
                  <div className="text-xs text-slate-500">since <When value={c.statusSince} relative /></div>
                </Td>
                <Td>
                  {c.stage ?? "—"} · {c.tier ? `tier ${c.tier}` : "—"}
                </Td>
                <Td>
                  <Link href={`/jobs?institution=${c.id}`} className="hover:underline">
                    {c.failed24h} / {c.failed7d}
                  </Link>
                </Td>
                <Td>{c.connections > 0 ? `${c.failingConnections} of ${c.connections} (${Math.round((c.failingConnections / c.connections) * 100)}%)` : "—"}</Td>
                <Td className="text-xs text-slate-600">{c.scopes.join(", ") || "—"}</Td>
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
