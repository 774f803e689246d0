import type { Metadata } from "next";
import Link from "next/link";
import { redirect } from "next/navigation";
import { Suspense } from "react";

import { buttonClasses } from "@/components/ui/button";
import { PageHeader } from "@/components/ui/page-header";
import { TableSkeleton } from "@/components/ui/skeleton";
import { guardPage } from "@/lib/auth/guard";
import { can } from "@/lib/auth/policy";
import { getInstitutionNames } from "@/lib/dal/names";
import { listSavedViews } from "@/lib/dal/saved-views";
import { resolveSearchTarget } from "@/lib/dal/search-target";
import { listDirectoryInstitutions } from "@/lib/dal/users";
import { listHref, parseUsersSearch, type RawSearchParams } from "@/lib/search-params";

import { UsersTable } from "./_components/users-table";
import { UsersToolbar } from "./_components/users-toolbar";

export const metadata: Metadata = { title: "Users" };

export default async function UsersPage(props: { searchParams: Promise<RawSearchParams> }) {
  const current = await guardPage("users.read", "/users");
  const search = parseUsersSearch(await props.searchParams);
  // A job id or a connection id opens its page; a bank's name becomes the institution filter (issue 18 item 9).
  if (search.q) {
    const jump = await resolveSearchTarget(search.q);
    if (jump?.institutionId) redirect(listHref("/users", { ...search, q: undefined, page: undefined }, { institution: jump.institutionId }));
    if (jump) redirect(jump.href);
  }
  const [institutionIds, bankNames, views] = await Promise.all([listDirectoryInstitutions(), getInstitutionNames(), listSavedViews("users")]);
  const institutions = institutionIds
    .map((id) => ({ id, name: bankNames[id] ?? id }))
    .sort((a, b) => a.name.localeCompare(b.name));
  const { page: _page, pageSize: _pageSize, ...filters } = search;
  return (
    <>
      <PageHeader
        title="Users"
        description="Basiq users known to this console. E-mails and mobiles are masked; search still finds them exactly."
        actions={
          <>
            <a href={listHref("/users/export", filters, {})} className={buttonClasses("secondary")} download data-testid="users-export">
              Export CSV
            </a>
            {can(current.role, "users.import") ? (
              <Link href="/users/import" className={buttonClasses("secondary")}>
                Import or sync users
              </Link>
            ) : null}
          </>
        }
      />
      <UsersToolbar institutions={institutions} views={views} />
      <Suspense key={JSON.stringify(search)} fallback={<TableSkeleton columns={6} />}>
        <UsersTable search={search} canReveal={can(current.role, "pii.reveal")} />
      </Suspense>
    </>
  );
}
