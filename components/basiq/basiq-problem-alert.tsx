import { Alert } from "@/components/ui/alert";
import type { BasiqProblemDTO } from "@/lib/dal/basiq-problem";
import { DateTime } from "@/components/ui/date-time";

/**
 * The one banner for "Basiq could not be used, this is the stored copy" on every page. A refused API key is an
 * error (nothing will work until the key is fixed); everything else a warning.
 */
export function BasiqProblemAlert({
  problem,
  storedAt,
  showing = "the stored copy",
  children,
  className = "mb-4",
  timeZone,
}: {
  problem: BasiqProblemDTO | null;
  storedAt?: string | null;
  /** What is shown instead of Basiq's live answer. */
  showing?: string;
  children?: React.ReactNode;
  className?: string;
  /** CONSOLE_TIME_ZONE, passed down from the server (this component also renders inside client components). */
  timeZone: string;
}) {
  if (!problem) return null;
  const keyRefused = problem.kind === "key-refused";
  const title = (
    <>
      {keyRefused ? "Basiq refused our API key" : "Basiq unavailable"}: showing {showing}
      {storedAt ? (
        <>
          {" "}
          from <DateTime value={storedAt} timeZone={timeZone} />
        </>
      ) : null}
    </>
  );
  return (
    <Alert tone={keyRefused ? "error" : "warn"} title={title} className={className}>
      <span data-testid="basiq-problem" data-kind={problem.kind}>
        {problem.message}
      </span>
      {children ? <> {children}</> : null}
      {problem.correlationId ? (
        <>
          {" "}
          Basiq reference: <code>{problem.correlationId}</code>.
        </>
      ) : null}
    </Alert>
  );
}
