import type { Metadata } from "next";
import Link from "next/link";

import { ConnectorStatusBadge } from "@/components/connectors/connector-status-badge";
import { ConnectionStatusBadge } from "@/components/users/status-badge";
import { Alert } from "@/components/ui/alert";
import { Badge } from "@/components/ui/badge";
import { Card, CardTitle } from "@/components/ui/card";
import { PageHeader } from "@/components/ui/page-header";
import { guardPage } from "@/lib/auth/guard";
import { can } from "@/lib/auth/policy";
import { getIntegrationHealth, getOverview } from "@/lib/dal/overview";
import { When } from "@/components/ui/when";
import { formatCount } from "@/lib/format";
import { FigureValue } from "@/components/overview/figure-value";

export const metadata: Metadata = { title: "Overview" };

const linkClass = "text-sky-800 hover:underline";

export default async function OverviewPage() {
  const current = await guardPage("overview.read", "/");
  const admin = can(current.role, "integration.health");
  const [o, health] = await Promise.all([getOverview(), admin ? getIntegrationHealth() : Promise.resolve(null)]);
  const jobsLink = can(current.role, "jobs.read");
  const maxFailed = Math.max(1, ...o.failedByCode.map((f) => f.count));
  return (
    <>
      <PageHeader title={`Good day, ${current.name.split(" ")[0]}`} description="The state of the Basiq integration at a glance." />
      {o.basiqKeyRefused ? (
        <Alert tone="error" title="Basiq refused our API key" className="mb-4">
          <span data-testid="basiq-key-refused">
            POST /token is refused, so nothing can be read from Basiq: pages show stored copies, and the sweep and
            directory sync stop. {admin ? "Check BASIQ_API_KEY (a deleted or wrong key, or a development key used in production)." : "Tell an administrator."}
          </span>
        </Alert>
      ) : null}
      {o.eventsSync.warning ? (
        <Alert tone="warn" title="Basiq events may have been missed" className="mb-4">
          <span data-testid="events-sync-warning">{o.eventsSync.warning}</span>
        </Alert>
      ) : null}
      <div className="grid gap-4 sm:grid-cols-2 xl:grid-cols-3">
        <Card className="min-w-0">
          <CardTitle action={<Link href="/connectors" className="text-xs text-sky-700 hover:underline">All connectors</Link>}>
            Connectors needing attention
          </CardTitle>
          {o.connectorsProblem ? <p className="mb-2 text-xs text-amber-800">Basiq unreachable: last known statuses.</p> : null}
          {o.connectorsNeedingAttention.length === 0 ? (
            <p className="text-sm text-slate-600">Every connector is operational.</p>
          ) : (
            <ul className="space-y-1.5 text-sm" data-testid="overview-connectors">
              {o.connectorsNeedingAttention.slice(0, 8).map((c) => (
                <li key={`${c.id}/${c.method}`} className="flex flex-wrap items-center justify-between gap-2">
                  <Link href={`/connectors/${c.id}/${c.method}`} className={linkClass}>
                    {c.name} <span className="text-xs text-slate-500">({c.method})</span>
                  </Link>
                  <span className="flex gap-1">
                    <ConnectorStatusBadge status={c.status} />
                    {c.spike ? <Badge tone="bad">spike</Badge> : null}
                  </span>
                </li>
              ))}
            </ul>
          )}
          <p className="mt-2 text-xs text-slate-500">From Basiq <When value={o.connectorsFetchedAt} relative /></p>
        </Card>

        <Card className="min-w-0">
          <CardTitle>Failed jobs since {o.failedFrom} 00:00 UTC</CardTitle>
          {o.failedByCode.length === 0 ? (
            <p className="text-sm text-slate-600">No failed jobs stored since {o.failedFrom} 00:00 UTC.</p>
          ) : (
            <ul className="space-y-1 text-sm" data-testid="overview-failures">
              {o.failedByCode.slice(0, 8).map((f) => (
                <li key={f.key}>
                  <div className="flex justify-between gap-2">
                    <span className="truncate">{f.label}</span>
                    <FigureValue figure={f} canOpen={jobsLink} unit={f.count === 1 ? "failed job" : "failed jobs"} />
                  </div>
                  <div className="h-1.5 rounded bg-slate-100" aria-hidden>
                    <div className="h-1.5 rounded bg-red-400" style={{ width: `${(f.count / maxFailed) * 100}%` }} />
                  </div>
                </li>
              ))}
            </ul>
          )}
        </Card>

        <Card className="min-w-0">
          <CardTitle>Users by connection status</CardTitle>
          {o.usersByStatus.length === 0 ? (
            <p className="text-sm text-slate-600">No connections in the directory yet.</p>
          ) : (
            <ul className="space-y-1 text-sm">
              {o.usersByStatus.map((s) => (
                <li key={s.key} className="flex items-center justify-between gap-2">
                  <ConnectionStatusBadge status={s.key} />
                  <FigureValue figure={s} canOpen unit={s.count === 1 ? "user" : "users"} />
                </li>
              ))}
            </ul>
          )}
          <p className="mt-2 text-xs text-slate-500">A user with connections in two statuses counts in both.</p>
        </Card>

        <Card className="min-w-0">
          <CardTitle>Users in the directory</CardTitle>
          <span className="text-3xl" data-testid="overview-users">
            <FigureValue figure={o.usersFigure} canOpen unit={o.usersFigure.count === 1 ? "user" : "users"} />
          </span>
          <p className="mt-1 text-xs text-slate-500">Last synced <When value={o.lastDirectorySync} relative /></p>
        </Card>

        <Card className="min-w-0">
          <CardTitle>Last job sweep</CardTitle>
          {o.lastSweep ? (
            <div className="text-sm">
              <p>
                <Badge tone={o.lastSweep.status === "completed" ? "good" : o.lastSweep.status === "running" ? "info" : "bad"}>{o.lastSweep.status}</Badge>{" "}
                <When value={o.lastSweep.finishedAt ?? o.lastSweep.startedAt} relative />
              </p>
              <p className="mt-1 text-slate-600">
                {formatCount(o.lastSweep.usersChecked)} users checked, {formatCount(o.lastSweep.newFailures)} failed jobs stored for the first time (of
                any age), {formatCount(o.lastSweep.errors)} errors.
              </p>
              {jobsLink ? (
                <Link href="/jobs" className="mt-1 inline-block text-xs text-sky-700 hover:underline">
                  Error log
                </Link>
              ) : null}
            </div>
          ) : (
            <p className="text-sm text-slate-600">No sweep has run yet.</p>
          )}
        </Card>

        {health ? (
          <Card className="min-w-0 sm:col-span-2 xl:col-span-3">
            <CardTitle>Basiq integration health (this server process)</CardTitle>
            <div className="grid gap-4 text-sm md:grid-cols-3" data-testid="integration-health">
              <dl className="space-y-1">
                <div className="flex justify-between gap-2">
                  <dt className="text-slate-500">Token age</dt>
                  <dd>{health.tokenAgeSeconds === null ? "no token yet" : `${Math.round(health.tokenAgeSeconds / 60)} min`}</dd>
                </div>
                <div className="flex justify-between gap-2">
                  <dt className="text-slate-500">Token expires in</dt>
                  <dd>{health.tokenExpiresInSeconds === null ? "—" : `${Math.round(health.tokenExpiresInSeconds / 60)} min`}</dd>
                </div>
                <div className="flex justify-between gap-2">
                  <dt className="text-slate-500">Token requests, 24 h</dt>
                  <dd>{health.tokenRequests.last24h}</dd>
                </div>
                <div className="flex justify-between gap-2">
                  <dt className="text-slate-500">Callers per token request</dt>
                  <dd>{health.callersServedPerTokenRequest ?? "—"}</dd>
                </div>
                <div className="flex justify-between gap-2">
                  <dt className="text-slate-500">Token refused → refreshed (401 / 403 expired)</dt>
                  <dd>{health.unauthorizedRetries}</dd>
                </div>
                {(["interactive", "background"] as const).map((lane) => (
                  <div key={lane} className="flex justify-between gap-2" data-testid={`lane-${lane}`}>
                    <dt className="text-slate-500">
                      {lane === "interactive" ? "Interactive" : "Background"} calls in flight · queued (of {health.lanes[lane].max}
                      {health.lanes[lane].capacity < health.lanes[lane].max ? `; ${health.lanes[lane].capacity} while pages load` : ""})
                    </dt>
                    <dd>
                      {health.lanes[lane].inFlight} · {health.lanes[lane].queued}
                    </dd>
                  </div>
                ))}
                <div className="flex justify-between gap-2">
                  <dt className="text-slate-500">API key</dt>
                  <dd data-testid="integration-credentials" className={health.tokenFailure ? "font-semibold text-red-800" : undefined}>
                    {health.tokenFailure === null
                      ? "accepted"
                      : health.tokenFailure.keyRefused
                        ? <>refused by Basiq (HTTP {health.tokenFailure.status ?? "?"}) <When value={health.tokenFailure.at} relative /></>
                        : `token request failing (${health.tokenFailure.status === null ? "no answer" : `HTTP ${health.tokenFailure.status}`})`}
                  </dd>
                </div>
                <div className="flex justify-between gap-2">
                  <dt className="text-slate-500">
                    <Link href="/webhooks" className={linkClass}>
                      Last webhook delivery
                    </Link>
                  </dt>
                  <dd data-testid="webhook-last-delivery">
                    {!health.webhooks.configured ? "webhooks off" : health.webhooks.lastReceivedAt ? <When value={health.webhooks.lastReceivedAt} relative /> : "none yet"}
                  </dd>
                </div>
                <div className="flex justify-between gap-2">
                  <dt className="text-slate-500">Webhook failures, 24 h (refused · processing)</dt>
                  <dd data-testid="webhook-failures" className={health.webhooks.refusedLast24h + health.webhooks.failedLast24h > 0 ? "font-semibold text-red-800" : undefined}>
                    {health.webhooks.refusedLast24h} · {health.webhooks.failedLast24h}
                  </dd>
                </div>
                <div className="flex justify-between gap-2">
                  <dt className="text-slate-500">Database queries since start</dt>
                  <dd>{health.databaseQueries}</dd>
                </div>
                <div className="flex justify-between gap-2" data-testid="fleet-sweep">
                  <dt className="text-slate-500">Sweep (all instances)</dt>
                  <dd>
                    {health.fleet.sweep === null
                      ? "none yet"
                      : `${health.fleet.sweep.status} · ${health.fleet.sweep.usersChecked} of ${health.fleet.sweep.usersTotal} users`}
                  </dd>
                </div>
                {health.fleet.queues.length > 0 ? (
                  <div className="flex justify-between gap-2" data-testid="fleet-queues">
                    <dt className="text-slate-500">Queued background jobs (all instances)</dt>
                    <dd>
                      {health.fleet.queues
                        .filter((q) => q.state === "created" || q.state === "retry" || q.state === "active")
                        .reduce((n, q) => n + q.jobs, 0)}
                    </dd>
                  </div>
                ) : null}
                {health.pausedForMs > 0 ? (
                  <div className="flex justify-between gap-2">
                    <dt className="text-amber-800">Paused by a 429 Retry-After</dt>
                    <dd className="text-amber-800">{Math.ceil(health.pausedForMs / 1000)} s</dd>
                  </div>
                ) : null}
              </dl>
              <div className="min-w-0 md:col-span-2">
                <table className="w-full text-left text-xs">
                  <thead>
                    <tr className="text-slate-500">
                      <th className="py-1 font-medium">Endpoint</th>
                      <th className="py-1 pl-2 font-medium">Calls</th>
                      <th className="py-1 pl-2 font-medium">429</th>
                      <th className="py-1 pl-2 font-medium">5xx</th>
                      <th className="py-1 pl-2 font-medium">Last Retry-After</th>
                    </tr>
                  </thead>
                  <tbody>
                    {Object.entries(health.byRoute).length === 0 ? (
                      <tr>
                        <td colSpan={5} className="py-2 text-slate-600">
                          No Basiq calls from this process yet.
                        </td>
                      </tr>
                    ) : (
                      Object.entries(health.byRoute).map(([route, m]) => (
                        <tr key={route} className="border-t border-slate-100">
                          <td className="break-all py-1 font-mono">{route}</td>
                          <td className="py-1 pl-2">{m.calls}</td>
                          <td className={`py-1 pl-2 ${m.status429 > 0 ? "font-semibold text-amber-800" : ""}`}>{m.status429}</td>
                          <td className={`py-1 pl-2 ${m.status5xx > 0 ? "font-semibold text-red-700" : ""}`}>{m.status5xx}</td>
                          <td className="py-1 pl-2">{m.lastRetryAfterSeconds === undefined || m.lastRetryAfterSeconds === null ? "—" : `${m.lastRetryAfterSeconds} s`}</td>
                        </tr>
                      ))
                    )}
                  </tbody>
                </table>
              </div>
            </div>
          </Card>
        ) : null}
      </div>
      {o.connectorsProblem ? (
        <Alert tone="warn" className="mt-4">
          Connector statuses are from <When value={o.connectorsFetchedAt} />: Basiq could not be reached for fresh ones.
        </Alert>
      ) : null}
    </>
  );
}
