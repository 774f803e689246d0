import type { Metadata } from "next";
import Link from "next/link";
import { notFound } from "next/navigation";

import { JobView } from "@/components/jobs/job-view";
import { env } from "@/lib/env";
import { PageHeader } from "@/components/ui/page-header";
import { guardPage } from "@/lib/auth/guard";
import { isBasiqError } from "@/lib/basiq/errors";
import { basiqProblem } from "@/lib/dal/basiq-problem";
import { getJobDetail } from "@/lib/dal/jobs";
import { getInstitutionNames, getStoredUserName } from "@/lib/dal/names";
import { IdWithCopy } from "@/components/ui/copy-button";
import { NotFoundError } from "@/lib/errors";
import { BasiqProblemAlert } from "@/components/basiq/basiq-problem-alert";

export const metadata: Metadata = { title: "Job" };

export default async function JobPage(props: { params: Promise<{ jobId: string }> }) {
  const { jobId } = await props.params;
  await guardPage("jobs.read", `/jobs/${encodeURIComponent(jobId)}`);
  const result = await getJobDetail(jobId).then(
    (job) => ({ job, failure: null }),
    (e: unknown) => {
      if (e instanceof NotFoundError) notFound();
      // Basiq down and no stored copy of this job: say so instead of an error page.
      if (isBasiqError(e)) return { job: null, failure: basiqProblem(e) };
      throw e;
    },
  );
  const bankNames = await getInstitutionNames();
  return (
    <>
      <nav className="mb-2 text-sm">
        <Link href="/jobs" className="text-sky-700 hover:underline">
          ← Error log
        </Link>
      </nav>
      <PageHeader title="Job" description={<IdWithCopy id={result.job?.id ?? jobId} label="Copy job id" />} />
      {result.job ? (
        <JobView
          initial={result.job}
          timeZone={env().consoleTimeZone}
          personName={await getStoredUserName(result.job.userId).catch(() => null)}
          bankName={result.job.institutionId ? (bankNames[result.job.institutionId] ?? null) : null}
        />
      ) : (
        <BasiqProblemAlert timeZone={env().consoleTimeZone} problem={result.failure} showing="nothing: this job has no stored copy yet" className="">
          Try again in a few minutes.
        </BasiqProblemAlert>
      )}
    </>
  );
}
