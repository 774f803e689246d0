import type { Metadata } from "next";
import Link from "next/link";

import { Badge } from "@/components/ui/badge";
import { buttonClasses } from "@/components/ui/button";
import { PageHeader } from "@/components/ui/page-header";
import { EmptyState } from "@/components/list/empty-state";
import { Pager } from "@/components/list/pager";
import { Table, Td, Th } from "@/components/ui/table";
import { guardPage } from "@/lib/auth/guard";
import { can } from "@/lib/auth/policy";
import { listFailedJobs } from "@/lib/dal/jobs";
import { getInstitutionNames } from "@/lib/dal/names";
import { listSavedViews } from "@/lib/dal/saved-views";
import { listHref, parseErrorLogSearch, type RawSearchParams } from "@/lib/search-params";
import { env } from "@/lib/env";
import { formatCount } from "@/lib/format";
import { When } from "@/components/ui/when";

import { ErrorLogToolbar } from "./_components/error-log-toolbar";
import { SweepPanel } from "./_components/sweep-panel";

export const metadata: Metadata = { title: "Error log" };

export default async function ErrorLogPage(props: { searchParams: Promise<RawSearchParams> }) {
  const caller = await guardPage("jobs.read", "/jobs");
  const filters = parseErrorLogSearch(await props.searchParams);
  const [log, bankNames, views] = await Promise.all([listFailedJobs(filters), getInstitutionNames(), listSavedViews("jobs")]);
  const { before: _before, after: _after, ...current } = filters;
  const exportHref = listHref("/jobs/export", current, {});
  return (
    <>
      <PageHeader
        title="Error log"
        description={
          <>
            Failed jobs across all users, newest first, from the job store (kept beyond Basiq&apos;s own window). Last sweep{" "}
            <When value={log.lastSweep?.finishedAt} relative />.
          </>
        }
        actions={
          can(caller.role, "jobs.export") ? (
            <a href={exportHref} className={buttonClasses("secondary")} download>
              Export CSV
            </a>
          ) : null
        }
      />
      {can(caller.role, "sweep.run") ? <SweepPanel timeZone={env().consoleTimeZone} /> : null}
      <ErrorLogToolbar codes={log.countsByCode.map((c) => c.code)} timeZone={env().consoleTimeZone} views={views} />
      <div className="mb-4 flex flex-wrap gap-2" data-testid="counts-by-code">
        {log.countsByCode.map((c) => (
          <Link
            key={c.code}
            href={listHref("/jobs", current, { code: filters.code === c.code ? undefined : c.code })}
            className={`rounded-full border px-3 py-1 text-xs ${filters.code === c.code ? "border-slate-900 bg-slate-900 text-white" : "border-slate-300 bg-white hover:bg-slate-100"}`}
          >
            {c.code} <span className="font-semibold">{formatCount(c.jobs)}</span>
          </Link>
        ))}
      </div>
      <p className="mb-2 text-sm text-slate-600" data-testid="error-log-total">
        {formatCount(log.total)} failed {log.total === 1 ? "job" : "jobs"}
      </p>
      <Table label="Failed jobs">
        <thead>
          <tr>
            <Th>When</Th>
            <Th>Error</Th>
            <Th>Failed step</Th>
            <Th>Institution</Th>
            <Th>User · connection · job</Th>
          </tr>
        </thead>
        <tbody>
          {log.rows.length === 0 ? (
            <EmptyState
              colSpan={5}
              filtered={Object.values(current).some(Boolean)}
              clearHref="/jobs"
              noMatch="No failed jobs match these filters."
              empty="No failed jobs stored yet: the job sweep and opened user pages fill this log."
            />
          ) : (
            log.rows.map((j) => (
              <tr key={j.id} className="hover:bg-slate-50">
                <Td className="whitespace-nowrap">
                  <When value={j.created} /> {j.newSinceLastSweep ? <Badge tone="info">new</Badge> : null}
                </Td>
                <Td>
                  <code className="text-xs">{j.errorCode ?? "unknown"}</code>
                  {j.errorTitle ? <div className="text-xs text-slate-600">{j.errorTitle}</div> : null}
                </Td>
                <Td>{j.failedStep ?? "—"}</Td>
                <Td>
                  {j.institutionId ? (
                    <>
                      <div data-testid="job-bank">{bankNames[j.institutionId] ?? j.institutionId}</div>
                      {bankNames[j.institutionId] ? <div className="font-mono text-xs text-slate-500">{j.institutionId}</div> : null}
                    </>
                  ) : (
                    "—"
                  )}
                </Td>
                <Td className="space-x-2 text-xs">
                  <Link href={`/users/${encodeURIComponent(j.userId)}`} className="text-sky-800 hover:underline">
                    user
                  </Link>
                  {j.connectionId ? (
                    <Link
                      href={`/users/${encodeURIComponent(j.userId)}/connections/${encodeURIComponent(j.connectionId)}`}
                      className="text-sky-800 hover:underline"
                    >
                      connection
                    </Link>
                  ) : null}
                  <Link href={`/jobs/${encodeURIComponent(j.id)}`} className="font-medium text-sky-800 hover:underline">
                    job
                  </Link>
                </Td>
              </tr>
            ))
          )}
        </tbody>
      </Table>
      <Pager
        unit={log.total === 1 ? "failed job" : "failed jobs"}
        total={log.total}
        first={log.first}
        last={log.last}
        previousHref={log.hasPrevious ? listHref("/jobs", current, { after: log.previousAfter ?? undefined }) : null}
        nextHref={log.nextBefore ? listHref("/jobs", current, { before: log.nextBefore }) : null}
      />
    </>
  );
}
