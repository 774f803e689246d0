import type { Metadata } from "next";
import Link from "next/link";
import { Suspense } from "react";

import { CopyMessageButton } from "@/components/consents/copy-message-button";
import { EmptyState } from "@/components/list/empty-state";
import { Pager } from "@/components/list/pager";
import { SortHeader } from "@/components/list/sort-header";
import { PageHeader } from "@/components/ui/page-header";
import { TableSkeleton } from "@/components/ui/skeleton";
import { Table, Td, Th } from "@/components/ui/table";
import { When } from "@/components/ui/when";
import { guardPage } from "@/lib/auth/guard";
import { listExpiringConsents } from "@/lib/consents/dal";
import { getStoredUserNames } from "@/lib/dal/names";
import { formatCount } from "@/lib/format";
import { listHref, parseConsentsSearch, type ConsentsSearch, type RawSearchParams } from "@/lib/search-params";

import { ConsentsToolbar } from "./_components/consents-toolbar";

export const metadata: Metadata = { title: "Consents expiring" };

const windowText = (days: number) => (days === 1 ? "the next 24 hours" : `the next ${days} days`);

export default async function ConsentsPage(props: { searchParams: Promise<RawSearchParams> }) {
  await guardPage("consents.read", "/consents");
  const search = parseConsentsSearch(await props.searchParams);
  return (
    <>
      <PageHeader
        title="Consents expiring"
        description={
          <>
            Active CDR consents that end within 7 days, soonest first — from Basiq&apos;s consent.warning and consent.reminder events,
            the user pages and the daily sweep. Ask each user to renew before the date, or their bank data stops and is deleted.
          </>
        }
      />
      <ConsentsToolbar />
      <Suspense key={JSON.stringify(search)} fallback={<TableSkeleton columns={5} />}>
        <ConsentsTable search={search} />
      </Suspense>
    </>
  );
}

async function ConsentsTable({ search }: { search: ConsentsSearch }) {
  const result = await listExpiringConsents(search);
  const names = await getStoredUserNames(result.rows.map((c) => c.userId));
  // Defaults stay out of the links (the soonest-first order, the 7-day window, page 1).
  const current = { ...search, sort: search.sort === "expiry" ? undefined : search.sort, within: search.within === 7 ? undefined : search.within };
  const sortBy = (sort: ConsentsSearch["sort"], label: string) => (
    <SortHeader
      label={label}
      sorted={search.sort === sort}
      reversed={search.dir === "reverse"}
      href={listHref("/consents", current, { sort: sort === "expiry" ? undefined : sort, dir: undefined, page: undefined })}
      reverseHref={listHref("/consents", current, { sort: sort === "expiry" ? undefined : sort, dir: "reverse", page: undefined })}
      naturalOrder="ascending"
    />
  );
  const first = result.rows.length ? (result.page - 1) * result.pageSize + 1 : 0;
  const filtered = !!search.userId || search.within !== 7;
  const unit = result.total === 1 ? "consent" : "consents";
  return (
    <>
      <p className="mb-2 text-sm text-slate-600" data-testid="consents-total">
        {formatCount(result.total)} {unit} expiring in {windowText(search.within)}
        {search.userId ? " for this user" : ""}
      </p>
      <Table label={`Consents expiring in ${windowText(search.within)}`}>
        <thead>
          <tr>
            {sortBy("user", "User")}
            <Th>Contact (masked)</Th>
            {sortBy("expiry", "Expires")}
            <Th>Purpose</Th>
            <Th>Message to the user</Th>
          </tr>
        </thead>
        <tbody>
          {result.rows.length === 0 ? (
            <EmptyState
              colSpan={5}
              filtered={filtered}
              clearHref="/consents"
              noMatch={`No consent matching these filters expires in ${windowText(search.within)}.`}
              empty="No consent expires in the next 7 days."
            />
          ) : (
            result.rows.map((c) => (
              <tr key={c.consentId} data-testid="expiring-consent">
                <Td>
                  <Link href={`/users/${encodeURIComponent(c.userId)}`} className="text-sky-800 hover:underline">
                    {names[c.userId] ?? <span className="font-mono text-xs">{c.userId}</span>}
                  </Link>
                  {names[c.userId] ? <div className="font-mono text-xs text-slate-500">{c.userId}</div> : null}
                  <div className="font-mono text-xs text-slate-500">consent {c.consentId}</div>
                </Td>
                <Td className="text-sm">
                  <div>{c.maskedEmail ?? "no e-mail on file"}</div>
                  <div>{c.maskedMobile ?? "no mobile on file"}</div>
                </Td>
                <Td className="whitespace-nowrap">
                  <When value={c.expiryDate} />
                  <div className="text-xs font-semibold text-amber-800">
                    {c.daysToExpiry === 0 ? "today" : `in ${c.daysToExpiry} day${c.daysToExpiry === 1 ? "" : "s"}`}
                  </div>
                </Td>
                <Td className="text-sm">{c.purpose ?? "—"}</Td>
                <Td className="max-w-md text-xs text-slate-700">
                  <p data-testid="consent-message">{c.message}</p>
                  <CopyMessageButton message={c.message} />
                </Td>
              </tr>
            ))
          )}
        </tbody>
      </Table>
      <Pager
        total={result.total}
        unit={unit}
        first={first}
        last={first ? first + result.rows.length - 1 : 0}
        page={result.page}
        pageCount={result.pageCount}
        previousHref={result.page > 1 ? listHref("/consents", current, { page: result.page - 1 }) : null}
        nextHref={result.page < result.pageCount ? listHref("/consents", current, { page: result.page + 1 }) : null}
      />
    </>
  );
}
