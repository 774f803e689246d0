import type { Metadata } from "next";
import Link from "next/link";
import { Suspense } from "react";

import { buttonClasses } from "@/components/ui/button";
import { PageHeader } from "@/components/ui/page-header";
import { TableSkeleton } from "@/components/ui/skeleton";
import { guardPage } from "@/lib/auth/guard";
import { can } from "@/lib/auth/policy";
import { getInstitutionNames } from "@/lib/dal/names";
import { listDirectoryInstitutions } from "@/lib/dal/users";
import { parseUsersSearch, type RawSearchParams } from "@/lib/search-params";

import { UsersTable } from "./_components/users-table";
import { UsersToolbar } from "./_components/users-toolbar";

export const metadata: Metadata = { title: "Users" };

export default async function UsersPage(props: { searchParams: Promise<RawSearchParams> }) {
  const current = await guardPage("users.read", "/users");
  const search = parseUsersSearch(await props.searchParams);
  const [institutionIds, bankNames] = await Promise.all([listDirectoryInstitutions(), getInstitutionNames()]);
  const institutions = institutionIds
    .map((id) => ({ id, name: bankNames[id] ?? id }))
    .sort((a, b) => a.name.localeCompare(b.name));
  return (
    <>
      <PageHeader
        title="Users"
        description="Basiq users known to this console. E-mails and mobiles are masked; search still finds them exactly."
        actions={
          can(current.role, "users.import") ? (
            <Link href="/users/import" className={buttonClasses("secondary")}>
              Import or sync users
            </Link>
          ) : null
        }
      />
      <UsersToolbar institutions={institutions} />
      <Suspense key={JSON.stringify(search)} fallback={<TableSkeleton columns={6} />}>
        <UsersTable search={search} canReveal={can(current.role, "pii.reveal")} />
      </Suspense>
    </>
  );
}
