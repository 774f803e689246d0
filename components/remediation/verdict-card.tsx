import Link from "next/link";

import { Badge } from "@/components/ui/badge";
import { Card, CardTitle } from "@/components/ui/card";
import { DateTime } from "@/components/ui/date-time";
import type { Verdict } from "@/lib/remediation/verdict";

/**
 * THE verdict of a failure (lib/remediation/verdict.ts), the only box that says what to do about it: why (the
 * connector's status when it failed), who acts, the sentence for the user. Server- and client-renderable (no
 * hooks). `full` adds support's action and the refresh advice (job page); the summary shows code, reason and the
 * sentence (user and connection pages, every role with `jobs.summary`).
 */
export function VerdictCard({
  verdict: v,
  timeZone,
  title = "What to do",
  full = false,
  jobHref = null,
  testId = "remediation",
}: {
  verdict: Verdict;
  timeZone: string;
  title?: React.ReactNode;
  full?: boolean;
  /** Only when the role may open the job page. */
  jobHref?: string | null;
  testId?: string;
}) {
  return (
    <Card tone="warn">
      <CardTitle action={jobHref ? <Link href={jobHref} className="text-xs text-sky-700 hover:underline">Open the job</Link> : null}>{title}</CardTitle>
      <div className="space-y-3 text-sm" data-testid={testId} data-code={v.code} data-status-at-failure={v.statusAtFailure ?? ""}>
        <p className="flex flex-wrap items-center gap-2">
          <code className="text-xs" data-testid="verdict-code">{v.code}</code>
          {v.failedAt ? (
            <span className="text-slate-600">
              failed <DateTime value={v.failedAt} timeZone={timeZone} />
            </span>
          ) : null}
        </p>
        <p data-testid="verdict-reason">
          <span className="font-medium">Why:</span> {v.reason}
        </p>
        <p>
          <span className="font-medium">What happened:</span> {v.meaning}
        </p>
        <p className="flex flex-wrap items-center gap-2">
          <span className="font-medium">Who acts:</span>
          <Badge tone={v.whoActs === "end-user" ? "warn" : "info"}>{v.whoActs.replace("-", " ")}</Badge>
          {full ? (
            <>
              <span className="font-medium">Refresh worth trying now:</span>
              <Badge tone={v.refreshWorthIt ? "good" : "neutral"}>{v.refreshWorthIt ? "yes, once" : "no"}</Badge>
            </>
          ) : null}
          {v.retryAfter ? <span className="text-slate-600">Wait {v.retryAfter}.</span> : null}
        </p>
        <div>
          <p className="font-medium">Tell the user</p>
          <blockquote className="mt-1 border-l-4 border-slate-300 pl-3 text-slate-800" data-testid="tell-the-user">
            {v.tellTheUser}
          </blockquote>
        </div>
        {full ? (
          <p>
            <span className="font-medium">Support:</span> {v.supportAction}
          </p>
        ) : null}
      </div>
    </Card>
  );
}
