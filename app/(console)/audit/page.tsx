import type { Metadata } from "next";
import Link from "next/link";

import { Alert } from "@/components/ui/alert";
import { Badge, type Tone } from "@/components/ui/badge";
import { buttonClasses } from "@/components/ui/button";
import { PageHeader } from "@/components/ui/page-header";
import { EmptyState } from "@/components/list/empty-state";
import { Pager } from "@/components/list/pager";
import { Table, Td, Th } from "@/components/ui/table";
import { guardPage } from "@/lib/auth/guard";
import { listAuditActions, listAuditEvents, type AuditEventDTO } from "@/lib/dal/audit";
import { getInstitutionNames, getStoredUserNames } from "@/lib/dal/names";
import { listSavedViews } from "@/lib/dal/saved-views";
import { env } from "@/lib/env";
import { formatCount } from "@/lib/format";
import { auditOutcomes, first, listHref, parseAuditSearch, type RawSearchParams } from "@/lib/search-params";
import { When } from "@/components/ui/when";

import { AuditDetails } from "./_components/audit-details";
import { AuditToolbar } from "./_components/audit-toolbar";

export const metadata: Metadata = { title: "Audit log" };

const outcomeTones: Record<string, Tone> = { success: "good", requested: "info", unknown: "warn", failure: "bad", denied: "bad" };

const filterLabels: Record<string, string> = {
  actor: "actor e-mail",
  action: "action",
  outcome: "outcome",
  userId: "user id",
  connectionId: "connection id",
  jobId: "job id",
  from: "from date",
  to: "to date",
  range: "date preset",
};

export default async function AuditPage(props: { searchParams: Promise<RawSearchParams> }) {
  await guardPage("audit.read", "/audit");
  const raw = await props.searchParams;
  const { before, after, ...filters } = parseAuditSearch(raw);
  const [log, actions, views] = await Promise.all([listAuditEvents({ ...filters, before, after }), listAuditActions(), listSavedViews("audit")]);
  const { events } = log;
  const [personNames, bankNames] = await Promise.all([
    getStoredUserNames(events.flatMap((e) => (e.userId ? [e.userId] : []))),
    getInstitutionNames(),
  ]);
  const filtered = Object.values(filters).some(Boolean);
  // A malformed value is dropped by the parser; say so rather than silently showing more than was asked for.
  const ignored = Object.keys(filterLabels).filter((k) => first(raw[k]) && !filters[k as keyof typeof filters]);
  return (
    <>
      <PageHeader
        title="Audit log"
        description="Every sign-in, reveal, refresh, purge, export and staff change, newest first. Append-only: events outlive purges."
        actions={
          <a href={listHref("/audit/export", filters, {})} className={buttonClasses("secondary")} download>
            Export CSV
          </a>
        }
      />
      <AuditToolbar actions={actions} outcomes={auditOutcomes} timeZone={env().consoleTimeZone} views={views} />
      {ignored.length > 0 ? (
        <Alert tone="warn" className="mb-4">
          Ignored a malformed {ignored.map((k) => filterLabels[k]).join(", ")} filter.
        </Alert>
      ) : null}
      <p className="mb-2 text-sm text-slate-600" data-testid="audit-total">
        {formatCount(log.total)} {log.total === 1 ? "event" : "events"}
        {filtered ? " match" : ""}
      </p>
      <Table label="Audit events">
        <thead>
          <tr>
            <Th>When</Th>
            <Th>Who</Th>
            <Th>Action</Th>
            <Th>Outcome</Th>
            <Th>Target</Th>
            <Th>Details</Th>
            <Th>Correlation id</Th>
          </tr>
        </thead>
        <tbody>
          {events.length === 0 ? (
            <EmptyState
              colSpan={7}
              filtered={filtered}
              clearHref="/audit"
              noMatch="No audit events match these filters."
              empty="No audit events yet: sign-ins, reveals, refreshes, purges, exports and staff changes are recorded here."
            />
          ) : (
            events.map((e) => (
              <tr key={e.id} data-testid="audit-row">
                <Td className="whitespace-nowrap"><When value={e.occurredAt} /></Td>
                <Td>
                  <div>{e.actorEmail ?? "—"}</div>
                  <div className="text-xs text-slate-500">
                    {[e.actorRole, e.ip].filter(Boolean).join(" · ")}
                  </div>
                </Td>
                <Td>
                  <code className="text-xs">{e.action}</code>
                </Td>
                <Td>
                  <Badge tone={outcomeTones[e.outcome] ?? "neutral"}>{e.outcome}</Badge>
                </Td>
                <Td className="font-mono text-xs">
                  <Target event={e} personName={e.userId ? personNames[e.userId] : undefined} />
                </Td>
                <Td className="max-w-md">
                  <AuditDetails details={e.details} bankNames={bankNames} />
                </Td>
                <Td className="font-mono text-xs">{e.correlationId ?? "—"}</Td>
              </tr>
            ))
          )}
        </tbody>
      </Table>
      <Pager
        unit={log.total === 1 ? "event" : "events"}
        total={log.total}
        first={log.first}
        last={log.last}
        previousHref={log.hasPrevious ? listHref("/audit", filters, { after: log.previousAfter ?? undefined }) : null}
        nextHref={log.nextBefore ? listHref("/audit", filters, { before: log.nextBefore }) : null}
      />
    </>
  );
}

/** The user, connection and job an event is about, linked to their pages (which may 404 after a purge). */
function Target({ event: e, personName }: { event: AuditEventDTO; personName: string | undefined }) {
  const parts: React.ReactNode[] = [];
  if (e.userId) {
    parts.push(
      <Link key="u" href={`/users/${encodeURIComponent(e.userId)}`} className="text-sky-800 hover:underline">
        {personName ? (
          <>
            <span className="font-sans text-sm">{personName}</span> <span className="text-slate-500">{e.userId}</span>
          </>
        ) : (
          <>user {e.userId}</>
        )}
      </Link>,
    );
  }
  if (e.connectionId) {
    parts.push(
      e.userId ? (
        <Link
          key="c"
          href={`/users/${encodeURIComponent(e.userId)}/connections/${encodeURIComponent(e.connectionId)}`}
          className="text-sky-800 hover:underline"
        >
          conn {e.connectionId}
        </Link>
      ) : (
        <span key="c">conn {e.connectionId}</span>
      ),
    );
  }
  if (e.jobId) {
    parts.push(
      <Link key="j" href={`/jobs/${encodeURIComponent(e.jobId)}`} className="text-sky-800 hover:underline">
        job {e.jobId}
      </Link>,
    );
  }
  if (parts.length === 0) return <>—</>;
  return <div className="flex flex-col gap-0.5">{parts}</div>;
}
