import type { Metadata } from "next";
import Link from "next/link";

import { PageHeader } from "@/components/ui/page-header";
import { Badge } from "@/components/ui/badge";
import { EmptyRow, Table, Td, Th } from "@/components/ui/table";
import { guardPage } from "@/lib/auth/guard";
import { listAuditEvents } from "@/lib/dal/audit";
import { cursorParam, first, type RawSearchParams } from "@/lib/search-params";
import { formatDateTime } from "@/lib/utils";

export const metadata: Metadata = { title: "Audit log" };

export default async function AuditPage(props: { searchParams: Promise<RawSearchParams> }) {
  await guardPage("audit.read", "/audit");
  const params = await props.searchParams;
  const before = cursorParam.parse(first(params.before));
  const { events, nextBefore } = await listAuditEvents({ before });
  return (
    <>
      <PageHeader title="Audit log" description="Every sign-in, reveal, refresh, purge and staff change. Append-only." />
      <Table>
        <thead>
          <tr>
            <Th>When</Th>
            <Th>Who</Th>
            <Th>Action</Th>
            <Th>Outcome</Th>
            <Th>Target</Th>
            <Th>Correlation id</Th>
          </tr>
        </thead>
        <tbody>
          {events.length === 0 ? (
            <EmptyRow colSpan={6}>No audit events yet.</EmptyRow>
          ) : (
            events.map((e) => (
              <tr key={e.id}>
                <Td className="whitespace-nowrap">{formatDateTime(e.occurredAt)}</Td>
                <Td>
                  <div>{e.actorEmail ?? "—"}</div>
                  <div className="text-xs text-slate-500">{e.actorRole ?? ""}</div>
                </Td>
                <Td>
                  <code className="text-xs">{e.action}</code>
                </Td>
                <Td>
                  <Badge tone={e.outcome === "success" ? "good" : e.outcome === "requested" ? "info" : "bad"}>{e.outcome}</Badge>
                </Td>
                <Td className="font-mono text-xs">
                  {[e.userId && `user ${e.userId}`, e.connectionId && `conn ${e.connectionId}`, e.jobId && `job ${e.jobId}`]
                    .filter(Boolean)
                    .join(" · ") || "—"}
                </Td>
                <Td className="font-mono text-xs">{e.correlationId ?? "—"}</Td>
              </tr>
            ))
          )}
        </tbody>
      </Table>
      <div className="mt-4 flex justify-end gap-3 text-sm">
        {before ? (
          <Link href="/audit" className="text-sky-700 hover:underline">
            Newest
          </Link>
        ) : null}
        {nextBefore ? (
          <Link href={`/audit?before=${nextBefore}`} className="text-sky-700 hover:underline">
            Older →
          </Link>
        ) : null}
      </div>
    </>
  );
}
