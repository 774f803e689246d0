// One verdict per failure: the catalogue entry of the failed step's code, adjusted for the connector's status
// *at the time of the failure* (from our connector status history), with the reason in one sentence ("NAB was in
// a major outage when this failed"). Every page that explains a failure shows this verdict and nothing beside it:
// a 5-day-old failure is never judged by the connector's status of today. Pure: the caller reads the history.
import {
  type ConnectorAwareRemediation,
  type FailedStep,
  OUTAGE_STATUSES,
  remediationWithConnector,
} from "@/lib/basiq/job-codes";

/** One row of connector_status_history: the connector was seen in `status` from `observedAt` on. */
export interface StatusObservation {
  status: string;
  observedAt: string;
}

export interface VerdictConnector {
  id: string;
  method: string;
  name: string | null;
}

export interface VerdictInput {
  step: FailedStep;
  /** When the job failed (its last update, else its creation). */
  failedAt: string | null;
  connector: VerdictConnector | null;
  /** The connector's observed status changes, any order (only the ones up to failedAt matter). */
  history: readonly StatusObservation[];
  /** The connector's status now, to say "operational again now" when it changed since. */
  statusNow?: string | null;
}

export interface Verdict extends ConnectorAwareRemediation {
  /** Why this advice, in one sentence, naming the bank and its status when the job failed. */
  reason: string;
  /** The connector's status when the job failed; null when the console had not seen it by then. */
  statusAtFailure: string | null;
  /** Since when the connector had that status (its last observed change before the failure). */
  statusAtFailureSince: string | null;
  failedAt: string | null;
}

const spoken = (status: string) => status.replace(/-/g, " ");

/** The last observation at or before `at`; null when the history starts after it (or `at` is unknown). */
export function statusAt(history: readonly StatusObservation[], at: string | null): StatusObservation | null {
  if (!at) return null;
  const t = Date.parse(at);
  if (Number.isNaN(t)) return null;
  let best: StatusObservation | null = null;
  for (const h of history) {
    const seen = Date.parse(h.observedAt);
    if (Number.isNaN(seen) || seen > t) continue;
    if (!best || seen > Date.parse(best.observedAt)) best = h;
  }
  return best;
}

function article(status: string): string {
  return OUTAGE_STATUSES.includes(status) ? `in a ${spoken(status)}` : spoken(status);
}

export function verdictFor(input: VerdictInput): Verdict {
  const { step, failedAt, connector, history, statusNow = null } = input;
  const seen = connector ? statusAt(history, failedAt) : null;
  const advice = remediationWithConnector(step, connector && seen ? { ...connector, status: seen.status } : null);
  const bank = connector ? (connector.name ?? connector.id) : "The bank";
  let reason: string;
  if (!connector) {
    reason = "The bank's connector is not known for this job, so the advice follows the failure code alone.";
  } else if (!seen) {
    reason = `The console has no record of ${bank}'s status when this failed, so the advice follows the failure code alone.`;
  } else if (OUTAGE_STATUSES.includes(seen.status)) {
    reason = advice.adjustedFor
      ? `${bank} was ${article(seen.status)} when this failed: the failure is on the bank's side, not the user's.`
      : `${bank} was ${article(seen.status)} when this failed, but this code is not explained by an outage.`;
  } else if (advice.code === "service-unavailable") {
    reason = `${bank} was ${article(seen.status)} (not in a major outage) when this failed.`;
  } else {
    reason = `${bank} was ${article(seen.status)} when this failed, so the failure code decides.`;
  }
  if (connector && seen && statusNow && statusNow !== seen.status) {
    reason += ` It is ${article(statusNow)} now.`;
  }
  return {
    ...advice,
    reason,
    statusAtFailure: seen?.status ?? null,
    statusAtFailureSince: seen?.observedAt ?? null,
    failedAt,
  };
}
