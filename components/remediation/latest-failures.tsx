import "server-only";

import { env } from "@/lib/env";
import { getLatestFailures } from "@/lib/remediation/latest-failure";

import { VerdictCard } from "./verdict-card";

/**
 * "Why isn't this bank updating?": the verdict of the latest failure of each of the user's connections (or of
 * one), from the stored jobs, for every role with `jobs.summary`. Nothing when the latest job did not fail.
 */
export async function LatestFailures({
  userId,
  connectionId,
  bankNames = {},
}: {
  userId: string;
  connectionId?: string;
  bankNames?: Record<string, string>;
}) {
  const failures = await getLatestFailures(userId, connectionId);
  if (failures.length === 0) return null;
  const timeZone = env().consoleTimeZone;
  return (
    <section className="mt-4 space-y-3" data-testid="latest-failures">
      {failures.map((f) => (
        <VerdictCard
          key={f.connectionId}
          verdict={f.verdict}
          timeZone={timeZone}
          testId="latest-failure"
          title={
            connectionId
              ? "Why this connection is not updating"
              : `Why ${(f.institutionId && bankNames[f.institutionId]) || f.institutionId || "a bank"} is not updating`
          }
          jobHref={f.jobId ? `/jobs/${encodeURIComponent(f.jobId)}` : null}
        />
      ))}
    </section>
  );
}
