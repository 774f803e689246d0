"use client";

import { useQuery } from "@tanstack/react-query";
import Link from "next/link";
import { useState } from "react";

import { Badge } from "@/components/ui/badge";
import { Button } from "@/components/ui/button";
import { Card, CardTitle } from "@/components/ui/card";
import type { JobDetailDTO } from "@/lib/dal/jobs";
import { IdWithCopy } from "@/components/ui/copy-button";
import { DateTime } from "@/components/ui/date-time";
import { formatDateTimeWithZone } from "@/lib/format";

import { ConnectorStatusBadge } from "../connectors/connector-status-badge";
import { jobKeys } from "./job-keys";
import { JobOutcomeBadge } from "./job-outcome-badge";
import { JOB_STEP_STATUS, JOB_STEP_TITLE, shown } from "@/lib/vocabulary";
import { BasiqProblemAlert } from "@/components/basiq/basiq-problem-alert";
import { VerdictCard } from "@/components/remediation/verdict-card";


async function fetchJob(id: string): Promise<JobDetailDTO> {
  const res = await fetch(`/api/jobs/${encodeURIComponent(id)}`, { cache: "no-store" });
  if (!res.ok) throw new Error(`HTTP ${res.status}`);
  return (await res.json()) as JobDetailDTO;
}

const stepDot: Record<string, string> = {
  success: "bg-emerald-500",
  failed: "bg-red-600",
  "in-progress": "bg-sky-500 animate-pulse",
  pending: "bg-slate-300",
};

/** What Basiq's support asks for, in one block. */
export function basiqSupportBlock(job: JobDetailDTO, timeZone: string): string {
  const when = (v: string | null | undefined) => (v ? `${v} (${formatDateTimeWithZone(v, timeZone)})` : "-");
  const failed = job.steps.find((s) => s.status === "failed");
  return [
    `userId: ${job.userId}`,
    `connectionId: ${job.connectionId ?? "unknown"}`,
    `jobId: ${job.id}`,
    `institution/connector: ${job.institutionId ?? "unknown"}${job.connector ? ` (${job.connector.name ?? ""} ${job.connector.method})` : ""}`,
    `failed step: ${failed?.title ?? "none"}`,
    `code: ${failed?.result?.code ?? "-"}`,
    `title: ${failed?.result?.title ?? "-"}`,
    `detail: ${failed?.result?.detail ?? "-"}`,
    `created: ${when(job.created)}`,
    `updated: ${when(job.updated)}`,
    `connector status when it failed: ${job.remediation?.statusAtFailure ?? "unknown"}`,
    `connector status (seen ${new Date().toISOString()}): ${job.connector ? `${job.connector.status}, stage ${job.connector.stage ?? "-"}` : "unknown"}`,
  ].join("\n");
}

export function JobView({
  initial,
  timeZone,
  personName = null,
  bankName = null,
}: {
  initial: JobDetailDTO;
  timeZone: string;
  /** The user's name from the directory, when the caller may see it. */
  personName?: string | null;
  /** The institution's bank name from the stored connector list. */
  bankName?: string | null;
}) {
  const { data, isError } = useQuery({
    queryKey: jobKeys.detail(initial.id),
    queryFn: () => fetchJob(initial.id),
    initialData: initial,
    refetchInterval: (q) => (q.state.data?.running ? 2000 : false),
  });
  const job = data ?? initial;
  const [copied, setCopied] = useState<"ok" | "failed" | null>(null);
  const r = job.remediation;

  return (
    <div className="space-y-4">
      <div className="flex flex-wrap items-center gap-3 text-sm">
        <JobOutcomeBadge outcome={job.outcome} />
        {job.running ? <span className="text-sky-700">Running: updating every 2 s…</span> : null}
        {job.stuck ? (
          <span data-testid="job-stuck">
            <Badge tone="warn">
              stuck: running for over 3 × this connector&apos;s average ({Math.round((job.averageDurationMs ?? 0) / 1000)} s)
            </Badge>
          </span>
        ) : null}
        {isError ? <span className="text-red-700">Live updates paused (Basiq unreachable).</span> : null}
        <span className="text-slate-600">Created <DateTime value={job.created} timeZone={timeZone} /> · updated <DateTime value={job.updated} timeZone={timeZone} /></span>
      </div>
      <BasiqProblemAlert timeZone={timeZone} problem={job.basiqProblem} storedAt={job.storedAt} showing="the stored copy of this job" className="" />
      <div className="grid gap-4 lg:grid-cols-3">
        <Card className="min-w-0 lg:col-span-2">
          <CardTitle>Steps</CardTitle>
          <ol className="space-y-3" data-testid="job-steps">
            {job.steps.map((s, i) => (
              <li key={`${s.title}-${i}`} className="flex gap-3">
                <span className={`mt-1.5 h-2.5 w-2.5 shrink-0 rounded-full ${stepDot[s.status] ?? "bg-slate-300"}`} aria-hidden />
                <div className="min-w-0">
                  <p className="text-sm font-medium">
                    {shown(JOB_STEP_TITLE, s.title)} <span className="font-normal text-slate-600">· {shown(JOB_STEP_STATUS, s.status)}</span>
                  </p>
                  {s.result && (s.result.code || s.result.title) ? (
                    <div className="mt-1 text-sm">
                      <code className="text-xs">{s.result.code}</code> {s.result.title}
                      {s.result.detail ? <p className="break-words text-slate-600">{s.result.detail}</p> : null}
                      {s.result.url ? (
                        <a href={s.result.url} className="text-xs text-sky-700 hover:underline" rel="noreferrer noopener" target="_blank">
                          Basiq reference
                        </a>
                      ) : null}
                    </div>
                  ) : null}
                </div>
              </li>
            ))}
          </ol>
        </Card>
        <Card>
          <CardTitle>Where</CardTitle>
          <dl className="space-y-1 text-sm">
            <div>
              <dt className="text-xs text-slate-500">User</dt>
              <dd>
                <Link href={`/users/${encodeURIComponent(job.userId)}`} className="text-sky-800 hover:underline" data-testid="job-user">
                  {personName ?? <span className="font-mono text-xs">{job.userId}</span>}
                </Link>
                {personName ? (
                  <div>
                    <IdWithCopy id={job.userId} label="Copy user id" />
                  </div>
                ) : null}
              </dd>
            </div>
            <div>
              <dt className="text-xs text-slate-500">Connection</dt>
              <dd>
                {job.connectionId ? (
                  <Link
                    href={`/users/${encodeURIComponent(job.userId)}/connections/${encodeURIComponent(job.connectionId)}`}
                    className="font-mono text-xs text-sky-800 hover:underline"
                  >
                    {job.connectionId}
                  </Link>
                ) : (
                  "—"
                )}
              </dd>
            </div>
            <div>
              <dt className="text-xs text-slate-500">Connector</dt>
              <dd className="flex flex-wrap items-center gap-2" data-testid="job-connector">
                {job.connector ? (
                  <>
                    {job.connector.name ?? job.connector.id} <span className="text-xs text-slate-500">now</span> <ConnectorStatusBadge status={job.connector.status} />
                    {job.connector.lastKnownFrom ? (
                      <span className="text-xs text-amber-800">
                        Basiq unavailable: last known status, from <DateTime value={job.connector.lastKnownFrom} timeZone={timeZone} />
                      </span>
                    ) : null}
                  </>
                ) : (
                  <span>{job.institutionId ? `${bankName ?? job.institutionId} (connection method unknown: connector status not shown)` : "—"}</span>
                )}
              </dd>
            </div>
          </dl>
        </Card>
      </div>

      {r ? <VerdictCard verdict={r} timeZone={timeZone} full /> : null}

      <div className="flex flex-wrap items-center gap-3">
        <Button
          variant="secondary"
          onClick={async () => {
            try {
              await navigator.clipboard.writeText(basiqSupportBlock(job, timeZone));
              setCopied("ok");
            } catch {
              setCopied("failed");
            }
          }}
        >
          Copy for Basiq support
        </Button>
        <span aria-live="polite" className="text-sm text-slate-600">
          {copied === "ok" ? "Copied." : copied === "failed" ? "Copy failed: select the block below." : null}
        </span>
      </div>
      <details className="text-sm">
        <summary className="cursor-pointer text-slate-600">Show the block</summary>
        {/* The block says when the connector status was seen (now): the server's and the browser's "now" differ by
            the render-to-hydrate gap, so React must not treat that one text as a hydration error (#418). */}
        <pre className="mt-2 overflow-x-auto rounded bg-slate-900 p-3 text-xs text-slate-100" data-testid="support-block" suppressHydrationWarning>
          {basiqSupportBlock(job, timeZone)}
        </pre>
      </details>
    </div>
  );
}
