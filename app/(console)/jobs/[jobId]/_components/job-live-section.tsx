import { BasiqProblemAlert } from "@/components/basiq/basiq-problem-alert";
import { JobView } from "@/components/jobs/job-view";
import { Skeleton, TableSkeleton } from "@/components/ui/skeleton";
import { isBasiqError } from "@/lib/basiq/errors";
import { basiqProblem } from "@/lib/dal/basiq-problem";
import { getJobDetail } from "@/lib/dal/jobs";
import { getInstitutionNames, getStoredUserName } from "@/lib/dal/names";
import { env } from "@/lib/env";

/** Shown while Basiq is asked for the job (the page's shell is already on screen). */
export function JobLiveSkeleton() {
  return (
    <div data-testid="job-loading">
      <Skeleton className="mb-4 h-20 w-full" />
      <TableSkeleton rows={4} columns={3} />
    </div>
  );
}

/** The job as Basiq has it now (steps, remediation, connector), or the stored copy under a banner. */
export async function JobLiveSection({ jobId, userId }: { jobId: string; userId: string }) {
  const [result, bankNames, personName] = await Promise.all([
    getJobDetail(jobId).then(
      (job) => ({ job, failure: null }),
      (e: unknown) => {
        // Basiq down and no stored copy of this job: say so instead of an error page.
        if (isBasiqError(e)) return { job: null, failure: basiqProblem(e) };
        throw e;
      },
    ),
    getInstitutionNames(),
    userId ? getStoredUserName(userId).catch(() => null) : null,
  ]);
  if (!result.job) {
    return (
      <BasiqProblemAlert timeZone={env().consoleTimeZone} problem={result.failure} showing="nothing: this job has no stored copy yet" className="">
        Try again in a few minutes.
      </BasiqProblemAlert>
    );
  }
  const job = result.job;
  return (
    <div data-testid="job-live">
      <JobView
        initial={job}
        timeZone={env().consoleTimeZone}
        personName={job.userId === userId ? personName : await getStoredUserName(job.userId).catch(() => null)}
        bankName={job.institutionId ? (bankNames[job.institutionId] ?? null) : null}
      />
    </div>
  );
}
