import type { Metadata } from "next";
import Link from "next/link";
import { notFound } from "next/navigation";
import { Suspense } from "react";

import { BasiqProblemAlert } from "@/components/basiq/basiq-problem-alert";
import { env } from "@/lib/env";
import { PageHeader } from "@/components/ui/page-header";
import { guardPage } from "@/lib/auth/guard";
import { isBasiqError } from "@/lib/basiq/errors";
import { basiqProblem } from "@/lib/dal/basiq-problem";
import { getJobShell } from "@/lib/dal/jobs";
import { IdWithCopy } from "@/components/ui/copy-button";
import { NotFoundError } from "@/lib/errors";

import { JobLiveSection, JobLiveSkeleton } from "./_components/job-live-section";

export const metadata: Metadata = { title: "Job" };

// Streams like the user page (issue 18 item 14): the guard (redirect, 403) and whether the job exists (404) are
// decided before the first byte; the live job suspends behind the shell.
export default async function JobPage(props: { params: Promise<{ jobId: string }> }) {
  const { jobId } = await props.params;
  await guardPage("jobs.read", `/jobs/${encodeURIComponent(jobId)}`);
  const shell = await getJobShell(jobId).then(
    (job) => ({ job, failure: null }),
    (e: unknown) => {
      if (e instanceof NotFoundError) notFound();
      // Basiq down and no stored copy of this job: say so instead of an error page.
      if (isBasiqError(e)) return { job: null, failure: basiqProblem(e) };
      throw e;
    },
  );
  return (
    <>
      <nav className="mb-2 text-sm">
        <Link href="/jobs" className="text-sky-700 hover:underline">
          ← Error log
        </Link>
      </nav>
      <PageHeader title="Job" description={<IdWithCopy id={shell.job?.id ?? jobId} label="Copy job id" />} />
      {shell.job ? (
        <Suspense fallback={<JobLiveSkeleton />}>
          <JobLiveSection jobId={shell.job.id} userId={shell.job.userId} />
        </Suspense>
      ) : (
        <BasiqProblemAlert timeZone={env().consoleTimeZone} problem={shell.failure} showing="nothing: this job has no stored copy yet" className="">
          Try again in a few minutes.
        </BasiqProblemAlert>
      )}
    </>
  );
}
