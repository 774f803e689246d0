import Link from "next/link";

import { env } from "@/lib/env";

import { EmptyRow, Table, Td, Th } from "@/components/ui/table";
import type { JobHistoryDTO } from "@/lib/dal/jobs";
import { When } from "@/components/ui/when";

import { JobOutcomeBadge } from "./job-outcome-badge";
import { BasiqProblemAlert } from "@/components/basiq/basiq-problem-alert";

export function JobHistoryTable({ history, showConnection }: { history: JobHistoryDTO; showConnection: boolean }) {
  const cols = showConnection ? 6 : 5;
  return (
    <>
      <BasiqProblemAlert timeZone={env().consoleTimeZone} problem={history.basiqProblem} storedAt={history.storedAt} showing="stored job history" className="mb-2" />
      <Table label="Job history">
        <thead>
          <tr>
            <Th>Job</Th>
            {showConnection ? <Th>Connection</Th> : null}
            <Th>Created</Th>
            <Th>Outcome</Th>
            <Th>Failed step</Th>
            <Th>Error</Th>
          </tr>
        </thead>
        <tbody>
          {history.jobs.length === 0 ? (
            <EmptyRow colSpan={cols}>No jobs on record.</EmptyRow>
          ) : (
            history.jobs.map((j) => (
              <tr key={j.id} className="hover:bg-slate-50">
                <Td>
                  <Link href={`/jobs/${encodeURIComponent(j.id)}`} className="font-mono text-xs text-sky-800 hover:underline">
                    {j.id}
                  </Link>
                </Td>
                {showConnection ? <Td className="font-mono text-xs">{j.connectionId ?? "—"}</Td> : null}
                <Td className="whitespace-nowrap"><When value={j.created} /></Td>
                <Td>
                  <JobOutcomeBadge outcome={j.outcome} />
                </Td>
                <Td>{j.failedStep ?? "—"}</Td>
                <Td>
                  {j.errorCode ? (
                    <>
                      <code className="text-xs">{j.errorCode}</code>
                      {j.errorTitle ? <div className="text-xs text-slate-600">{j.errorTitle}</div> : null}
                    </>
                  ) : (
                    "—"
                  )}
                </Td>
              </tr>
            ))
          )}
        </tbody>
      </Table>
    </>
  );
}
