import type { Metadata } from "next";
import Link from "next/link";
import { notFound } from "next/navigation";
import { Suspense } from "react";

import { PageHeader } from "@/components/ui/page-header";
import { JobHistorySection } from "@/components/jobs/job-history-section";
import { TableSkeleton } from "@/components/ui/skeleton";
import { WatchButton } from "@/components/alerts/watch-button";
import { guardPage } from "@/lib/auth/guard";
import { isWatched } from "@/lib/dal/alerts";
import { can } from "@/lib/auth/policy";
import { getStoredUserName } from "@/lib/dal/names";
import { getUserShell } from "@/lib/dal/users";
import { IdWithCopy } from "@/components/ui/copy-button";
import { NotFoundError } from "@/lib/errors";
import { isBasiqError } from "@/lib/basiq/errors";
import { getInstitutionNames } from "@/lib/dal/names";
import { LatestFailures } from "@/components/remediation/latest-failures";

import { ConnectionsSection, ConnectionsSkeleton } from "./_components/connections-section";
import { ProfileCard } from "./_components/profile-card";
import { RefreshUserButton } from "./refresh-user-button";
import { UserConsents } from "@/components/consents/user-consents";

/** "Monica Hall · User" in the tab, for roles that may open the user (anyone else gets the plain title). */
export async function generateMetadata(props: { params: Promise<{ userId: string }> }): Promise<Metadata> {
  const { userId } = await props.params;
  const name = await getStoredUserName(userId).catch(() => null);
  return { title: name ? `${name} · User` : "User" };
}

// Streams (issue 18 item 14) without a loading.tsx: everything that decides the status — the guard (redirect,
// 403) and whether the user exists (404) — is awaited here, before the first byte; only the Basiq sections below
// suspend, so the shell and the directory's copy go out at once and the live parts follow in the same response.
export default async function UserPage(props: { params: Promise<{ userId: string }> }) {
  const { userId } = await props.params;
  const caller = await guardPage("users.read", `/users/${encodeURIComponent(userId)}`);
  const [user, watched] = await Promise.all([
    getUserShell(userId).catch((e: unknown) => {
      // Not at Basiq, or not in the directory while Basiq cannot be asked: an unknown id is a 404, never "(no name)".
      if (e instanceof NotFoundError || isBasiqError(e)) notFound();
      throw e;
    }),
    can(caller.role, "alerts.watch") ? isWatched(userId).catch(() => false) : null,
  ]);
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
      <div className="grid gap-4 lg:grid-cols-3">
        <ProfileCard user={user} />
        <div className="min-w-0 lg:col-span-2">
          <Suspense fallback={<ConnectionsSkeleton />}>
            <ConnectionsSection userId={user.id} />
          </Suspense>
        </div>
      </div>
      {can(caller.role, "jobs.summary") ? (
        <Suspense fallback={null}>
          <UserLatestFailures userId={user.id} />
        </Suspense>
      ) : null}
      <UserConsents userId={user.id} />
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

/** The latest failure's verdict per connection, with bank names (the names are the page's cached read). */
async function UserLatestFailures({ userId }: { userId: string }) {
  return <LatestFailures userId={userId} bankNames={await getInstitutionNames()} />;
}
