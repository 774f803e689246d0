import type { Metadata } from "next";

import { Badge } from "@/components/ui/badge";
import { Card, CardTitle } from "@/components/ui/card";
import { PageHeader } from "@/components/ui/page-header";
import { EmptyRow, Table, Td, Th } from "@/components/ui/table";
import { guardPage } from "@/lib/auth/guard";
import { roles } from "@/lib/auth/policy";
import { listStaff } from "@/lib/dal/staff";
import { When } from "@/components/ui/when";

import { AccessCard } from "./_components/access-card";
import { NewStaffForm } from "./_components/new-staff-form";
import { ResetPasswordControl } from "./_components/reset-password-control";
import { ResetSecondFactorControl } from "./_components/reset-second-factor-control";
import { RoleControl } from "./_components/role-control";
import { StatusControl } from "./_components/status-control";

export const metadata: Metadata = { title: "Staff" };

export default async function StaffPage() {
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
      <Table label="Staff">
        <thead>
          <tr>
            <Th>Name</Th>
            <Th>E-mail</Th>
            <Th>Role</Th>
            <Th>Status</Th>
            <Th>Last sign-in</Th>
            <Th>Password</Th>
            <Th>Second factor</Th>
          </tr>
        </thead>
        <tbody>
          {people.length === 0 ? (
            <EmptyRow colSpan={7}>No staff yet.</EmptyRow>
          ) : (
            people.map((p) => {
              const isSelf = p.id === caller.id;
              return (
                <tr key={p.id} data-testid="staff-row">
                  <Td>
                    {p.name} {isSelf ? <span className="text-xs text-slate-500">(you)</span> : null}{" "}
                    {p.isDemo ? <Badge tone="warn">demo</Badge> : null}
                  </Td>
                  <Td>{p.email}</Td>
                  <Td>
                    {/* keyed by role: a change made elsewhere resets the unsaved selection */}
                    <RoleControl key={`${p.id}:${p.role}`} staffId={p.id} email={p.email} role={p.role} roles={roles} isSelf={isSelf} />
                  </Td>
                  <Td>
                    <div className="flex items-center gap-2">
                      <Badge tone={p.status === "active" ? "good" : "neutral"}>{p.status}</Badge>
                      {/* No "Disable" on your own row: an admin leaving is disabled by another admin. */}
                      {isSelf ? null : <StatusControl staffId={p.id} email={p.email} name={p.name} status={p.status} isSelf={false} />}
                    </div>
                  </Td>
                  <Td className="whitespace-nowrap"><When value={p.lastSignInAt} /></Td>
                  <Td>
                    <ResetPasswordControl staffId={p.id} email={p.email} name={p.name} />
                  </Td>
                  <Td>
                    <div className="flex items-center gap-2 whitespace-nowrap">
                      <Badge tone={p.secondFactor ? "good" : "neutral"}>{p.secondFactor ? "on" : "off"}</Badge>
                      {p.secondFactor && !isSelf ? <ResetSecondFactorControl staffId={p.id} email={p.email} name={p.name} /> : null}
                    </div>
                  </Td>
                </tr>
              );
            })
          )}
        </tbody>
      </Table>
      <p className="mt-3 text-xs text-slate-500">
        Demo accounts get the sandbox&apos;s demo password back each time the console starts. The CLI,{" "}
        <code>npm run staff:create</code>, creates accounts too.
      </p>
    </>
  );
}
