import type { Metadata } from "next";
import Link from "next/link";
import { notFound } from "next/navigation";
import { Suspense } from "react";

import { PageHeader } from "@/components/ui/page-header";
import { ConnectionStatusBadge } from "@/components/users/status-badge";
import { JobHistorySection } from "@/components/jobs/job-history-section";
import { TableSkeleton } from "@/components/ui/skeleton";
import { WatchButton } from "@/components/alerts/watch-button";
import { guardPage } from "@/lib/auth/guard";
import { isWatched } from "@/lib/dal/alerts";
import { can } from "@/lib/auth/policy";
import { getConnectionShell } from "@/lib/dal/connections";
import { getInstitutionNames, getStoredUserName } from "@/lib/dal/names";
import { IdWithCopy } from "@/components/ui/copy-button";
import { NotFoundError } from "@/lib/errors";

import { ConnectionLiveSection, ConnectionLiveSkeleton } from "./_components/connection-live-section";
import { LiveStatusBadge } from "./_components/live-status-badge";
import { LatestFailures } from "@/components/remediation/latest-failures";

/** "Monica Hall · Connection" in the tab, for roles that may open the user. */
export async function generateMetadata(props: { params: Promise<{ userId: string }> }): Promise<Metadata> {
  const { userId } = await props.params;
  const name = await getStoredUserName(userId).catch(() => null);
  return { title: name ? `${name} · Connection` : "Connection" };
}

// Streams like the user page (issue 18 item 14): the guard (redirect, 403) and whether the connection belongs to
// the user (404) are decided before the first byte; the Basiq sections suspend behind the shell.
export default async function ConnectionPage(props: { params: Promise<{ userId: string; connectionId: string }> }) {
  const { userId, connectionId } = await props.params;
  const caller = await guardPage("connections.read", `/users/${encodeURIComponent(userId)}/connections/${encodeURIComponent(connectionId)}`);
  const [shell, bankNames, personName] = await Promise.all([
    getConnectionShell(userId, connectionId).catch((e: unknown) => {
      if (e instanceof NotFoundError) notFound();
      throw e;
    }),
    getInstitutionNames(),
    getStoredUserName(userId).catch(() => null),
  ]);
  const bankName = bankNames[shell.institutionId] ?? (shell.institutionId || "Unknown institution");
  const watched = can(caller.role, "alerts.watch") ? await isWatched(shell.userId, shell.id).catch(() => false) : null;
  return (
    <>
      <nav className="mb-2 flex gap-3 text-sm">
        <Link href="/users" className="text-sky-700 hover:underline">
          Users
        </Link>
        <span aria-hidden>/</span>
        <Link href={`/users/${encodeURIComponent(shell.userId)}`} className="text-sky-700 hover:underline" data-testid="breadcrumb-user">
          {personName ?? "User"}
        </Link>
      </nav>
      <PageHeader
        title={
          <span className="flex flex-wrap items-center gap-x-3 gap-y-1">
            {bankName}{" "}
            <Suspense fallback={<ConnectionStatusBadge status={shell.status} />}>
              <LiveStatusBadge userId={shell.userId} connectionId={shell.id} />
            </Suspense>
          </span>
        }
        actions={watched !== null ? <WatchButton userId={shell.userId} connectionId={shell.id} watched={watched} /> : undefined}
        description={
          <span className="flex flex-wrap items-center gap-2 text-xs">
            <IdWithCopy id={shell.id} label="Copy connection id" />
            <span>
              {shell.institutionId} · {shell.method === "openbanking" ? "open banking" : shell.method}
            </span>
          </span>
        }
      />
      {can(caller.role, "jobs.summary") ? (
        <Suspense fallback={null}>
          <LatestFailures userId={shell.userId} connectionId={shell.id} />
        </Suspense>
      ) : null}
      <Suspense fallback={<ConnectionLiveSkeleton />}>
        <ConnectionLiveSection caller={caller} userId={shell.userId} connectionId={shell.id} />
      </Suspense>
      {can(caller.role, "jobs.read") ? (
        <section className="mt-6">
          <h2 className="mb-2 text-sm font-semibold text-slate-700">Job history of this connection (checked with Basiq now)</h2>
          <Suspense fallback={<TableSkeleton rows={4} columns={5} />}>
            <JobHistorySection userId={shell.userId} connectionId={shell.id} />
          </Suspense>
        </section>
      ) : null}
    </>
  );
}
