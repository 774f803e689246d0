import { EmptyState } from "@/components/list/empty-state";
import { Pager } from "@/components/list/pager";
import { SortHeader } from "@/components/list/sort-header";
import { Badge } from "@/components/ui/badge";
import { Table, Td, Th } from "@/components/ui/table";
import { When } from "@/components/ui/when";
import type { Role } from "@/lib/auth/policy";
import type { StaffListEntry } from "@/lib/dal/staff";
import { listHref, type StaffSearch } from "@/lib/search-params";

import { ResetPasswordControl } from "./reset-password-control";
import { ResetSecondFactorControl } from "./reset-second-factor-control";
import { RoleControl } from "./role-control";
import { StatusControl } from "./status-control";
import { StaffToolbar } from "./staff-toolbar";

const roleRank: Record<string, number | undefined> = { admin: 0, support: 1, staff: 2 };

/** The staff list through the list kit: filters (name/e-mail, role, status) and sorting in the URL, totals. */
export function StaffList({ people, callerId, roles, search }: { people: StaffListEntry[]; callerId: string; roles: readonly Role[]; search: StaffSearch }) {
  const q = search.q.toLowerCase();
  const shown = people
    .filter((p) => !q || p.name.toLowerCase().includes(q) || p.email.includes(q))
    .filter((p) => !search.role || p.role === search.role)
    .filter((p) => !search.status || p.status === search.status)
    .sort((a, b) => {
      const by =
        search.sort === "role"
          ? (roleRank[a.role ?? ""] ?? 3) - (roleRank[b.role ?? ""] ?? 3) // waiting (no role) last
          : search.sort === "lastSignIn"
            ? (b.lastSignInAt ?? "").localeCompare(a.lastSignInAt ?? "")
            : a.name.localeCompare(b.name);
      return (search.dir === "reverse" ? -by : by) || a.email.localeCompare(b.email);
    });
  const filtered = !!(search.q || search.role || search.status);
  const sortBy = (sort: StaffSearch["sort"], label: string, naturalOrder: "ascending" | "descending") => (
    <SortHeader
      label={label}
      sorted={search.sort === sort}
      reversed={search.dir === "reverse"}
      href={listHref("/staff", search, { sort, dir: undefined })}
      reverseHref={listHref("/staff", search, { sort, dir: "reverse" })}
      naturalOrder={naturalOrder}
    />
  );
  return (
    <>
      <StaffToolbar />
      <Table label="Staff">
        <thead>
          <tr>
            {sortBy("name", "Name", "ascending")}
            <Th>E-mail</Th>
            {sortBy("role", "Role", "ascending")}
            <Th>Status</Th>
            {sortBy("lastSignIn", "Last sign-in", "descending")}
            <Th>Password</Th>
            <Th>Second factor</Th>
          </tr>
        </thead>
        <tbody>
          {shown.length === 0 ? (
            <EmptyState colSpan={7} filtered={filtered} clearHref="/staff" noMatch="No staff member matches." empty="No staff yet." />
          ) : (
            shown.map((p) => {
              const isSelf = p.id === callerId;
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
                  <Td className="whitespace-nowrap">
                    <When value={p.lastSignInAt} />
                  </Td>
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
      <Pager total={shown.length} unit={shown.length === 1 ? "account" : "accounts"} first={shown.length ? 1 : 0} last={shown.length} />
    </>
  );
}
