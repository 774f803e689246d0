import Link from "next/link";

import { ConnectionStatusBadge } from "@/components/users/status-badge";
import { RevealValue } from "@/components/users/reveal-value";
import { EmptyState } from "@/components/list/empty-state";
import { Pager } from "@/components/list/pager";
import { SortHeader } from "@/components/list/sort-header";
import { Table, Td, Th } from "@/components/ui/table";
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
  const sortBy = (sort: UsersSearch["sort"], label: string, naturalOrder: "ascending" | "descending", className?: string) => (
    <SortHeader
      label={label}
      sorted={search.sort === sort}
      reversed={search.dir === "reverse"}
      href={listHref("/users", current, { sort, dir: undefined, page: undefined })}
      reverseHref={listHref("/users", current, { sort, dir: "reverse", page: undefined })}
      naturalOrder={naturalOrder}
      className={className}
    />
  );
  const first = result.rows.length ? (result.page - 1) * result.pageSize + 1 : 0;
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
            {sortBy("id", "User", "ascending", "sticky left-0 z-10")}
            <Th>E-mail</Th>
            <Th>Mobile</Th>
            {sortBy("connections", "Connections", "descending")}
            {sortBy("status", "Worst status", "descending")}
            {sortBy("recent", "Last synced", "descending")}
          </tr>
        </thead>
        <tbody>
          {result.rows.length === 0 ? (
            <EmptyState
              colSpan={6}
              filtered={filtered}
              clearHref="/users"
              noMatch="No user matches. Search takes an exact e-mail, a mobile (any format), a user, connection or job id (or a user id's first characters), a name or the first 3 letters of a name word, or a bank's name."
              empty="The directory is empty. Import user ids or sync from Basiq to fill it."
            />
          ) : (
            result.rows.map((u) => (
              <tr key={u.id} className="group hover:bg-slate-50">
                <Td className="sticky left-0 z-10 max-w-[45vw] bg-white group-hover:bg-slate-50 md:max-w-none">
                  <Link href={`/users/${encodeURIComponent(u.id)}`} className="font-medium text-sky-800 hover:underline">
                    {u.name ?? "(no name)"}
                  </Link>
                  <div className="break-all font-mono text-xs text-slate-500">{u.id}</div>
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
      <Pager
        total={result.total}
        totalIsCapped={result.totalIsCapped}
        unit={result.total === 1 ? "user" : "users"}
        first={first}
        last={first ? first + result.rows.length - 1 : 0}
        page={result.page}
        pageCount={result.pageCount}
        previousHref={result.page > 1 ? listHref("/users", current, { page: result.page - 1 }) : null}
        nextHref={result.page < result.pageCount ? listHref("/users", current, { page: result.page + 1 }) : null}
      />
    </>
  );
}
