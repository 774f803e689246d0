"use client";

import { useQuery } from "@tanstack/react-query";
import Link from "next/link";

import type { JobDetailDTO } from "@/lib/dal/jobs";

import { JobOutcomeBadge } from "./job-outcome-badge";
import { jobKeys } from "./job-keys";
import { JOB_STEP_STATUS, JOB_STEP_TITLE, shown } from "@/lib/vocabulary";

/** A job's steps, polled every 2 s until the job ends (used right after starting a refresh). */
export function LiveJobSteps({ jobId }: { jobId: string }) {
  const { data, isError } = useQuery({
    queryKey: jobKeys.detail(jobId),
    queryFn: async () => {
      const res = await fetch(`/api/jobs/${encodeURIComponent(jobId)}`, { cache: "no-store" });
      if (!res.ok) throw new Error(`HTTP ${res.status}`);
      return (await res.json()) as JobDetailDTO;
    },
    refetchInterval: (q) => (q.state.data && !q.state.data.running ? false : 2000),
  });
  return (
    <div className="rounded-md border border-slate-200 bg-white p-3 text-sm" data-testid="live-job">
      <p className="mb-2 flex flex-wrap items-center gap-2">
        Job{" "}
        <Link href={`/jobs/${encodeURIComponent(jobId)}`} className="font-mono text-xs text-sky-800 hover:underline">
          {jobId}
        </Link>
        {data ? <JobOutcomeBadge outcome={data.outcome} /> : <span className="text-slate-500">starting…</span>}
        {isError ? <span className="text-red-700">status unavailable, retrying</span> : null}
      </p>
      <ol className="space-y-1">
        {(data?.steps ?? []).map((s, i) => (
          <li key={`${s.title}-${i}`} className="flex justify-between gap-2">
            <span>{shown(JOB_STEP_TITLE, s.title)}</span>
            <span className="text-slate-600">{shown(JOB_STEP_STATUS, s.status)}</span>
          </li>
        ))}
      </ol>
    </div>
  );
}
