import type { Metadata } from "next";

import { Badge } from "@/components/ui/badge";
import { PageHeader } from "@/components/ui/page-header";
import { EmptyRow, Table, Td, Th } from "@/components/ui/table";
import { guardPage } from "@/lib/auth/guard";
import { listStaff } from "@/lib/dal/staff";
import { formatDateTime } from "@/lib/utils";

export const metadata: Metadata = { title: "Staff" };

export default async function StaffPage() {
  await guardPage("staff.manage", "/staff");
  const people = await listStaff();
  return (
    <>
      <PageHeader
        title="Staff"
        description={
          <>
            People who can sign in to this console. Create accounts with <code>npm run staff:create</code>.
          </>
        }
      />
      <Table>
        <thead>
          <tr>
            <Th>Name</Th>
            <Th>E-mail</Th>
            <Th>Role</Th>
            <Th>Status</Th>
            <Th>Last sign-in</Th>
          </tr>
        </thead>
        <tbody>
          {people.length === 0 ? (
            <EmptyRow colSpan={5}>No staff yet.</EmptyRow>
          ) : (
            people.map((p) => (
              <tr key={p.id}>
                <Td>
                  {p.name} {p.isDemo ? <Badge tone="warn">demo</Badge> : null}
                </Td>
                <Td>{p.email}</Td>
                <Td>
                  <Badge tone="info">{p.role}</Badge>
                </Td>
                <Td>
                  <Badge tone={p.status === "active" ? "good" : "neutral"}>{p.status}</Badge>
                </Td>
                <Td>{formatDateTime(p.lastSignInAt)}</Td>
              </tr>
            ))
          )}
        </tbody>
      </Table>
    </>
  );
}
