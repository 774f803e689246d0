import type { Metadata } from "next";

import { Alert } from "@/components/ui/alert";
import { Badge } from "@/components/ui/badge";
import { PageHeader } from "@/components/ui/page-header";
import { EmptyRow, Table, Td, Th } from "@/components/ui/table";
import { When } from "@/components/ui/when";
import { guardPage } from "@/lib/auth/guard";
import { getOperations, type JobRowDTO } from "@/lib/dal/operations";

import { RetryButton } from "./_components/retry-button";

export const metadata: Metadata = { title: "Operations" };

function JobTable({ label, jobs, retry }: { label: string; jobs: JobRowDTO[]; retry: boolean }) {
  return (
    <Table label={label}>
      <thead>
        <tr>
          <Th>Queue</Th>
          <Th>State</Th>
          <Th>Retries</Th>
          <Th>Created</Th>
          <Th>Ended</Th>
          <Th>Error</Th>
          {retry ? <Th /> : null}
        </tr>
      </thead>
      <tbody>
        {jobs.length === 0 ? <EmptyRow colSpan={retry ? 7 : 6}>None.</EmptyRow> : null}
        {jobs.map((j) => (
          <tr key={`${j.queue}/${j.id}`}>
            <Td>
              <span className="font-mono text-xs">{j.queue}</span>
            </Td>
            <Td>
              <Badge tone={j.state === "failed" ? "bad" : j.state === "completed" ? "good" : "info"}>{j.state}</Badge>
            </Td>
            <Td>{j.retryCount}</Td>
            <Td>
              <When value={j.createdOn} />
            </Td>
            <Td>
              <When value={j.completedOn} />
            </Td>
            <Td className="max-w-md break-words text-xs">{j.error ?? ""}</Td>
            {retry ? <Td>{j.state === "failed" ? <RetryButton queue={j.queue} jobId={j.id} /> : null}</Td> : null}
          </tr>
        ))}
      </tbody>
    </Table>
  );
}

export default async function OperationsPage() {
  await guardPage("operations.manage", "/operations");
  const ops = await getOperations();
  return (
    <>
      <PageHeader title="Operations" description="The job engine (pg-boss): queues, schedules, recent jobs, failures and dead letters." />
      {!ops.running ? <Alert tone="warn">The job engine is not running in this process.</Alert> : null}
      <section className="mb-8">
        <h2 className="mb-2 text-lg font-semibold">Queues</h2>
        <Table label="Queues">
          <thead>
            <tr>
              <Th>Queue</Th>
              <Th>Policy</Th>
              <Th>Queued</Th>
              <Th>Retrying</Th>
              <Th>Active</Th>
              <Th>Completed</Th>
              <Th>Failed</Th>
            </tr>
          </thead>
          <tbody>
            {ops.queues.length === 0 ? <EmptyRow colSpan={7}>No queues.</EmptyRow> : null}
            {ops.queues.map((q) => (
              <tr key={q.name}>
                <Td>
                  <span className="font-mono text-xs">{q.name}</span>
                </Td>
                <Td>{q.policy}</Td>
                <Td>{q.counts.created}</Td>
                <Td>{q.counts.retry}</Td>
                <Td>{q.counts.active}</Td>
                <Td>{q.counts.completed}</Td>
                <Td>{q.counts.failed}</Td>
              </tr>
            ))}
          </tbody>
        </Table>
      </section>
      <section className="mb-8">
        <h2 className="mb-2 text-lg font-semibold">Scheduled jobs</h2>
        <Table label="Scheduled jobs">
          <thead>
            <tr>
              <Th>Queue</Th>
              <Th>Cron</Th>
              <Th>Time zone</Th>
            </tr>
          </thead>
          <tbody>
            {ops.schedules.length === 0 ? <EmptyRow colSpan={3}>No schedules.</EmptyRow> : null}
            {ops.schedules.map((s) => (
              <tr key={s.name}>
                <Td>
                  <span className="font-mono text-xs">{s.name}</span>
                </Td>
                <Td>
                  <span className="font-mono text-xs">{s.cron}</span>
                </Td>
                <Td>{s.timezone}</Td>
              </tr>
            ))}
          </tbody>
        </Table>
      </section>
      <section className="mb-8">
        <h2 className="mb-2 text-lg font-semibold">Failures</h2>
        <JobTable label="Failed jobs" jobs={ops.failed} retry />
      </section>
      <section className="mb-8">
        <h2 className="mb-2 text-lg font-semibold">Dead letters</h2>
        <JobTable label="Dead letters" jobs={ops.deadLetters} retry />
      </section>
      <section>
        <h2 className="mb-2 text-lg font-semibold">Recent runs</h2>
        <JobTable label="Recent jobs" jobs={ops.recent} retry={false} />
      </section>
    </>
  );
}
