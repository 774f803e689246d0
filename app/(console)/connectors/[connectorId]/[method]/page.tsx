import type { Metadata } from "next";
import Link from "next/link";
import { notFound } from "next/navigation";

import { ConnectorStatusBadge } from "@/components/connectors/connector-status-badge";
import { Alert } from "@/components/ui/alert";
import { Badge } from "@/components/ui/badge";
import { Card, CardTitle } from "@/components/ui/card";
import { PageHeader } from "@/components/ui/page-header";
import { guardPage } from "@/lib/auth/guard";
import { getConnectorDetail } from "@/lib/dal/connectors";
import { NotFoundError } from "@/lib/errors";
import { When, formatWhen } from "@/components/ui/when";

export const metadata: Metadata = { title: "Connector" };

export default async function ConnectorPage(props: { params: Promise<{ connectorId: string; method: string }> }) {
  const { connectorId, method } = await props.params;
  await guardPage("connectors.read", `/connectors/${encodeURIComponent(connectorId)}/${encodeURIComponent(method)}`);
  const c = await getConnectorDetail(connectorId, method).catch((e: unknown) => {
    if (e instanceof NotFoundError) notFound();
    throw e;
  });
  return (
    <>
      <nav className="mb-2 text-sm">
        <Link href="/connectors" className="text-sky-700 hover:underline">
          ← Connectors
        </Link>
      </nav>
      <PageHeader
        title={
          <span className="flex flex-wrap items-center gap-x-3 gap-y-1">
            {c.name} <ConnectorStatusBadge status={c.status} />
            {c.spike ? <Badge tone="bad">failure spike: likely bank-side</Badge> : null}
          </span>
        }
        description={
          <span className="font-mono text-xs">
            {c.id} · {c.method} · {c.stage ?? "—"} · tier {c.tier ?? "—"} · from Basiq <When value={c.fetchedAt} relative />
          </span>
        }
      />
      {c.problem ? (
        <Alert tone="warn" className="mb-4" title={`Basiq unavailable: showing the last known status, from ${formatWhen(c.fetchedAt)}`}>
          {c.problem.message}
          {c.problem.correlationId ? <> Reference: <code>{c.problem.correlationId}</code>.</> : null}
        </Alert>
      ) : null}
      <div className="grid gap-4 lg:grid-cols-3">
        <Card className="min-w-0 lg:col-span-2">
          <CardTitle>Status timeline (30 days)</CardTitle>
          {c.history.length === 0 ? (
            <p className="text-sm text-slate-600">No status changes recorded in the last 30 days.</p>
          ) : (
            <ol className="space-y-2" data-testid="status-timeline">
              {c.history.map((h) => (
                <li key={h.observedAt + h.status} className="flex flex-wrap items-center gap-2 text-sm">
                  <span className="w-44 shrink-0 text-slate-600"><When value={h.observedAt} /></span>
                  {h.previousStatus ? (
                    <>
                      <ConnectorStatusBadge status={h.previousStatus} /> →
                    </>
                  ) : (
                    <span className="text-xs text-slate-500">first seen</span>
                  )}
                  <ConnectorStatusBadge status={h.status} />
                </li>
              ))}
            </ol>
          )}
        </Card>
        <Card>
          <CardTitle>Our view</CardTitle>
          <dl className="space-y-1 text-sm">
            <div className="flex justify-between gap-2">
              <dt className="text-slate-500">Failed jobs, 24 h</dt>
              <dd>
                <Link href={`/jobs?institution=${c.id}`} className="text-sky-700 hover:underline">
                  {c.failed24h}
                </Link>
              </dd>
            </div>
            <div className="flex justify-between gap-2">
              <dt className="text-slate-500">Failed jobs, 7 days</dt>
              <dd>{c.failed7d}</dd>
            </div>
            <div className="flex justify-between gap-2">
              <dt className="text-slate-500">Failing connections</dt>
              <dd>
                {c.failingConnections} of {c.connections}
              </dd>
            </div>
            <div className="flex justify-between gap-2">
              <dt className="text-slate-500">Authorisation</dt>
              <dd>{c.authorizationType ?? "—"}</dd>
            </div>
            <div className="flex justify-between gap-2">
              <dt className="text-slate-500">Features</dt>
              <dd className="text-right">{c.scopes.join(", ") || "—"}</dd>
            </div>
          </dl>
          {c.averageDurationMs ? (
            <>
              <h3 className="mb-1 mt-4 text-xs font-semibold uppercase text-slate-500">Typical step durations</h3>
              <dl className="space-y-1 text-sm">
                {Object.entries(c.averageDurationMs).map(([step, ms]) => (
                  <div key={step} className="flex justify-between gap-2">
                    <dt className="text-slate-500">{step}</dt>
                    <dd>{(ms / 1000).toFixed(1)} s</dd>
                  </div>
                ))}
              </dl>
            </>
          ) : null}
        </Card>
      </div>
    </>
  );
}
