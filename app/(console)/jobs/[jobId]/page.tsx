import type { Metadata } from "next";
import Link from "next/link";
import { notFound } from "next/navigation";

import { JobView } from "@/components/jobs/job-view";
import { PageHeader } from "@/components/ui/page-header";
import { guardPage } from "@/lib/auth/guard";
import { getJobDetail } from "@/lib/dal/jobs";
import { NotFoundError } from "@/lib/errors";

export const metadata: Metadata = { title: "Job" };

export default async function JobPage(props: { params: Promise<{ jobId: string }> }) {
  const { jobId } = await props.params;
  await guardPage("jobs.read", `/jobs/${encodeURIComponent(jobId)}`);
  const job = await getJobDetail(jobId).catch((e: unknown) => {
    if (e instanceof NotFoundError) notFound();
    throw e;
  });
  return (
    <>
      <nav className="mb-2 text-sm">
        <Link href="/jobs" className="text-sky-700 hover:underline">
          ← Error log
        </Link>
      </nav>
      <PageHeader title="Job" description={<span className="font-mono text-xs">{job.id}</span>} />
      <JobView initial={job} />
    </>
  );
}
