import type { Metadata } from "next";
import Link from "next/link";

import { env } from "@/lib/env";
import { notFound } from "next/navigation";
import { Suspense } from "react";

import { Card, CardTitle } from "@/components/ui/card";
import { PageHeader } from "@/components/ui/page-header";
import { EmptyRow, Table, Td, Th } from "@/components/ui/table";
import { RevealValue } from "@/components/users/reveal-value";
import { ConnectionStatusBadge } from "@/components/users/status-badge";
import { JobHistorySection } from "@/components/jobs/job-history-section";
import { TableSkeleton } from "@/components/ui/skeleton";
import { WatchButton } from "@/components/alerts/watch-button";
import { guardPage } from "@/lib/auth/guard";
import { isWatched } from "@/lib/dal/alerts";
import { can } from "@/lib/auth/policy";
import { preloadJobHistory } from "@/lib/dal/jobs";
import { getInstitutionNames, getStoredUserName } from "@/lib/dal/names";
import { getUserDetail } from "@/lib/dal/users";
import { IdWithCopy } from "@/components/ui/copy-button";
import { NotFoundError } from "@/lib/errors";
import { When } from "@/components/ui/when";

import { revealUserFieldAction } from "../actions";
import { RefreshUserButton } from "./refresh-user-button";
import { BasiqProblemAlert } from "@/components/basiq/basiq-problem-alert";

/** "Monica Hall · User" in the tab, for roles that may open the user (anyone else gets the plain title). */
export async function generateMetadata(props: { params: Promise<{ userId: string }> }): Promise<Metadata> {
  const { userId } = await props.params;
  const name = await getStoredUserName(userId).catch(() => null);
  return { title: name ? `${name} · User` : "User" };
}

export default async function UserPage(props: { params: Promise<{ userId: string }> }) {
  const { userId } = await props.params;
  const caller = await guardPage("users.read", `/users/${encodeURIComponent(userId)}`);
  // Every Basiq call of the page starts now, at once: the job history below streams in without waiting its turn.
  await preloadJobHistory(userId);
  const [user, bankNames, watched] = await Promise.all([
    getUserDetail(userId).catch((e: unknown) => {
      if (e instanceof NotFoundError) notFound();
      throw e;
    }),
    getInstitutionNames(),
    can(caller.role, "alerts.watch") ? isWatched(userId).catch(() => false) : null,
  ]);
  const connections = user.connections ?? user.storedConnections.map((c) => ({ ...c, method: c.method ?? "", institutionId: c.institutionId ?? "", createdDate: null, lastUsed: null }));
  const href = (connectionId: string) => `/users/${encodeURIComponent(user.id)}/connections/${encodeURIComponent(connectionId)}`;
  return (
    <>
      <nav className="mb-2 text-sm">
        <Link href="/users" className="text-sky-700 hover:underline">
          ← Users
        </Link>
        <span className="text-slate-600" data-testid="breadcrumb-current">
          {" "}
          / {user.name ?? "(no name)"}
        </span>
      </nav>
      <PageHeader
        title={user.name ?? "(no name)"}
        description={<IdWithCopy id={user.id} label="Copy user id" />}
        actions={
          <>
            <RefreshUserButton />
            {watched !== null ? <WatchButton userId={user.id} watched={watched} /> : null}
          </>
        }
      />
      <BasiqProblemAlert timeZone={env().consoleTimeZone} problem={user.basiqProblem} storedAt={user.storedAt} showing="the directory copy">
        Connections below are as of the last sync (<When value={user.lastSyncedAt} />).
      </BasiqProblemAlert>
      <div className="grid gap-4 lg:grid-cols-3">
        <Card>
          <CardTitle>Profile</CardTitle>
          <dl className="space-y-2 text-sm">
            <div>
              <dt className="text-xs text-slate-500">E-mail</dt>
              <dd>
                <RevealValue
                  masked={user.maskedEmail}
                  canReveal={user.canReveal}
                  label="e-mail"
                  reveal={revealUserFieldAction.bind(null, { userId: user.id, field: "email" })}
                />
              </dd>
            </div>
            <div>
              <dt className="text-xs text-slate-500">Mobile</dt>
              <dd>
                <RevealValue
                  masked={user.maskedMobile}
                  canReveal={user.canReveal}
                  label="mobile"
                  reveal={revealUserFieldAction.bind(null, { userId: user.id, field: "mobile" })}
                />
              </dd>
            </div>
            <div>
              <dt className="text-xs text-slate-500">In the directory since</dt>
              <dd><When value={user.firstSeenAt} /></dd>
            </div>
            <div>
              <dt className="text-xs text-slate-500">Last synced from Basiq</dt>
              <dd data-testid="last-synced">
                <When value={user.lastSyncedAt} /> (<When value={user.lastSyncedAt} relative />)
              </dd>
            </div>
          </dl>
        </Card>
        <div className="min-w-0 lg:col-span-2">
          <h2 className="mb-2 text-sm font-semibold text-slate-700">
            Connections {user.connections ? "(live from Basiq)" : "(directory copy)"}
          </h2>
          <Table label="Connections">
            <thead>
              <tr>
                <Th>Institution</Th>
                <Th>Method</Th>
                <Th>Status</Th>
                <Th>Created</Th>
                <Th>Last used</Th>
              </tr>
            </thead>
            <tbody>
              {connections.length === 0 ? (
                <EmptyRow colSpan={5}>This user has no connections. They connect banks through Basiq&apos;s Consent UI.</EmptyRow>
              ) : (
                connections.map((c) => (
                  <tr key={c.id} className="hover:bg-slate-50">
                    <Td>
                      <Link href={href(c.id)} className="font-medium text-sky-800 hover:underline">
                        {(c.institutionId && bankNames[c.institutionId]) || c.institutionId || "Unknown institution"}
                      </Link>
                      <div className="font-mono text-xs text-slate-500">
                        {c.institutionId && bankNames[c.institutionId] ? `${c.institutionId} · ` : ""}
                        {c.id}
                      </div>
                    </Td>
                    <Td>{c.method === "openbanking" ? "Open banking" : c.method === "web" ? "Web" : c.method || "—"}</Td>
                    <Td>
                      <ConnectionStatusBadge status={c.status} />
                    </Td>
                    <Td className="whitespace-nowrap"><When value={c.createdDate} /></Td>
                    <Td className="whitespace-nowrap"><When value={c.lastUsed} /></Td>
                  </tr>
                ))
              )}
            </tbody>
          </Table>
        </div>
      </div>
      {can(caller.role, "jobs.read") ? (
        <section className="mt-6">
          <h2 className="mb-2 text-sm font-semibold text-slate-700">Job history (checked with Basiq now)</h2>
          <Suspense fallback={<TableSkeleton rows={4} columns={6} />}>
            <JobHistorySection userId={user.id} />
          </Suspense>
        </section>
      ) : null}
    </>
  );
}
