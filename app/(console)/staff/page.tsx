import type { Metadata } from "next";

import { Card, CardTitle } from "@/components/ui/card";
import { PageHeader } from "@/components/ui/page-header";
import { guardPage } from "@/lib/auth/guard";
import { roles } from "@/lib/auth/policy";
import { listStaff } from "@/lib/dal/staff";
import { parseStaffSearch, type RawSearchParams } from "@/lib/search-params";

import { AccessCard } from "./_components/access-card";
import { NewStaffForm } from "./_components/new-staff-form";
import { StaffList } from "./_components/staff-list";

export const metadata: Metadata = { title: "Staff" };

export default async function StaffPage(props: { searchParams: Promise<RawSearchParams> }) {
  const caller = await guardPage("staff.manage", "/staff");
  const people = await listStaff();
  const activeAdmins = people.filter((p) => p.role === "admin" && p.status === "active").length;
  return (
    <>
      <PageHeader
        title="Staff"
        description="People who can sign in to this console. Role and status changes take effect on the person's next click; every change is in the audit log."
      />
      <AccessCard />
      <Card className="mb-6">
        <CardTitle>New staff member</CardTitle>
        <NewStaffForm roles={roles} />
      </Card>
      <p className="mb-2 text-sm text-slate-600" data-testid="staff-total">
        {people.length} {people.length === 1 ? "account" : "accounts"}, {activeAdmins} active {activeAdmins === 1 ? "admin" : "admins"}
      </p>
      <StaffList people={people} callerId={caller.id} roles={roles} search={parseStaffSearch(await props.searchParams)} />
      <p className="mt-3 text-xs text-slate-500">
        Demo accounts get the sandbox&apos;s demo password back each time the console starts. The CLI,{" "}
        <code>npm run staff:create</code>, creates accounts too.
      </p>
    </>
  );
}
