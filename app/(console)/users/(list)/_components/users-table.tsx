import Link from "next/link";

import { ConnectionStatusBadge } from "@/components/users/status-badge";
import { RevealValue } from "@/components/users/reveal-value";
import { EmptyRow, Table, Td, Th } from "@/components/ui/table";
import { getInstitutionNames } from "@/lib/dal/names";
import { listUsers } from "@/lib/dal/users";
import { listHref, type UsersSearch } from "@/lib/search-params";
import { When } from "@/components/ui/when";

import { revealUserFieldAction } from "../../actions";
import { formatCount } from "@/lib/format";

export async function UsersTable({ search, canReveal }: { search: UsersSearch; canReveal: boolean }) {
  const [result, bankNames] = await Promise.all([listUsers(search), getInstitutionNames()]);
  if (result.refusal) {
    return (
      <p role="alert" className="rounded border border-amber-300 bg-amber-50 p-3 text-sm text-amber-900" data-testid="users-refusal">
        {result.refusal}
      </p>
    );
  }
  const current = { ...search };
  const filtered = !!(search.q || search.status || search.institution);
  return (
    <>
      <p className="mb-2 text-sm text-slate-600" data-testid="users-total">
        {formatCount(result.total)}
        {result.totalIsCapped ? "+" : ""} {result.total === 1 ? "user" : "users"}
        {filtered ? " match" : " in the directory"}
        {result.totalIsCapped && search.q ? ": a common name, so only the first 1,000 matches are listed. Add another word or a filter." : ""}
      </p>
      <Table label="Users">
        <thead>
          <tr>
            <Th>User</Th>
            <Th>E-mail</Th>
            <Th>Mobile</Th>
            <Th>Connections</Th>
            <Th>Worst status</Th>
            <Th>Last synced</Th>
          </tr>
        </thead>
        <tbody>
          {result.rows.length === 0 ? (
            <EmptyRow colSpan={6}>
              {filtered ? (
                <>
                  No user matches. Search takes an exact e-mail, a mobile (any format), a user id or its first characters,
                  or a whole name word. <Link href="/users" className="text-sky-700 hover:underline">Clear the search</Link>.
                </>
              ) : (
                <>The directory is empty. Import user ids or sync from Basiq to fill it.</>
              )}
            </EmptyRow>
          ) : (
            result.rows.map((u) => (
              <tr key={u.id} className="hover:bg-slate-50">
                <Td>
                  <Link href={`/users/${encodeURIComponent(u.id)}`} className="font-medium text-sky-800 hover:underline">
                    {u.name ?? "(no name)"}
                  </Link>
                  <div className="font-mono text-xs text-slate-500">{u.id}</div>
                </Td>
                <Td>
                  <RevealValue
                    masked={u.maskedEmail}
                    canReveal={canReveal}
                    label={`e-mail of ${u.id}`}
                    reveal={revealUserFieldAction.bind(null, { userId: u.id, field: "email" })}
                  />
                </Td>
                <Td>
                  <RevealValue
                    masked={u.maskedMobile}
                    canReveal={canReveal}
                    label={`mobile of ${u.id}`}
                    reveal={revealUserFieldAction.bind(null, { userId: u.id, field: "mobile" })}
                  />
                </Td>
                <Td>
                  {u.connectionCount}
                  {u.institutionIds.length > 0 ? (
                    <div className="text-xs text-slate-500" data-testid="user-banks">
                      {u.institutionIds.map((id) => bankNames[id] ?? id).join(", ")}
                    </div>
                  ) : null}
                </Td>
                <Td>
                  <ConnectionStatusBadge status={u.worstStatus} />
                </Td>
                <Td className="whitespace-nowrap text-slate-600"><When value={u.lastSyncedAt} relative /></Td>
              </tr>
            ))
          )}
        </tbody>
      </Table>
      <nav aria-label="Pagination" className="mt-4 flex items-center justify-between text-sm">
        <span className="text-slate-600">
          Page {result.page} of {formatCount(result.pageCount)}
        </span>
        <span className="flex gap-3">
          {result.page > 1 ? (
            <Link href={listHref("/users", current, { page: result.page - 1 })} className="text-sky-700 hover:underline">
              ← Previous
            </Link>
          ) : null}
          {result.page < result.pageCount ? (
            <Link href={listHref("/users", current, { page: result.page + 1 })} className="text-sky-700 hover:underline">
              Next →
            </Link>
          ) : null}
        </span>
      </nav>
    </>
  );
}
