import { Suspense } from "react";

import { revokeConsentAction } from "@/app/(console)/consents/actions";
import { BasiqProblemAlert } from "@/components/basiq/basiq-problem-alert";
import { Alert } from "@/components/ui/alert";
import { Badge, type Tone } from "@/components/ui/badge";
import { TableSkeleton } from "@/components/ui/skeleton";
import { EmptyRow, Table, Td, Th } from "@/components/ui/table";
import { When } from "@/components/ui/when";
import { getUserConsents, type UserConsentsDTO } from "@/lib/consents/dal";
import { env } from "@/lib/env";
import { ForbiddenError, NotFoundError, UserFacingError } from "@/lib/errors";
import { unstable_rethrow } from "next/navigation";

import { RevokeConsentButton } from "./revoke-consent-button";

const STATUS_TONE: Record<string, Tone> = { active: "good", revoked: "bad", expired: "warn" };

/** The user page's consents section (self-contained: it streams in on its own, one Basiq call). */
export function UserConsents({ userId }: { userId: string }) {
  return (
    <section className="mt-6" aria-labelledby="consents-heading">
      <h2 id="consents-heading" className="mb-2 text-sm font-semibold text-slate-700">
        Consents (CDR)
      </h2>
      <Suspense fallback={<TableSkeleton rows={2} columns={7} />}>
        <ConsentsBody userId={userId} />
      </Suspense>
    </section>
  );
}

const EVENT_REASON: Record<string, string> = {
  "consent.revoked": "the user's consent was revoked",
  "consent.expired": "the user's consent expired",
  "user.deleted": "the user was deleted at Basiq",
};

async function ConsentsBody({ userId }: { userId: string }) {
  let data: UserConsentsDTO;
  try {
    data = await getUserConsents(userId);
  } catch (e) {
    unstable_rethrow(e);
    const known = e instanceof NotFoundError || e instanceof ForbiddenError || e instanceof UserFacingError;
    const message = known ? e.message : "The consents could not be read. Try again later.";
    return <Alert tone="warn">{message}</Alert>;
  }
  return (
    <div className="space-y-3">
      {data.deidentified ? (
        <Alert tone="info" title="Personal details erased" className="text-sm">
          <span data-testid="deidentified-reason">
            The console erased its copy of this user&apos;s name, e-mail and mobile (and their search indexes) on{" "}
            <When value={data.deidentified.at} /> because {EVENT_REASON[data.deidentified.event] ?? `of ${data.deidentified.event}`} (
            <code>{data.deidentified.event}</code>): CDR data must be deleted or de-identified when consent ends. Job history keeps codes and
            dates only.
          </span>
        </Alert>
      ) : null}
      <BasiqProblemAlert timeZone={env().consoleTimeZone} problem={data.problem} showing="the stored consents" className="" />
      <Table label="Consents">
        <thead>
          <tr>
            <Th>Status</Th>
            <Th>Purpose</Th>
            <Th>Permissions</Th>
            <Th>Created</Th>
            <Th>Expires</Th>
            <Th>Revoked</Th>
            {data.canRevoke ? <Th><span className="sr-only">Actions</span></Th> : null}
          </tr>
        </thead>
        <tbody>
          {data.consents.length === 0 ? (
            <EmptyRow colSpan={data.canRevoke ? 7 : 6}>No consents: this user has no open-banking connection.</EmptyRow>
          ) : (
            data.consents.map((c) => (
              <tr key={c.id} data-testid="consent-row">
                <Td>
                  <Badge tone={STATUS_TONE[c.status ?? ""] ?? "neutral"}>{c.status ?? "unknown"}</Badge>
                  <div className="font-mono text-xs text-slate-500">{c.id}</div>
                </Td>
                <Td>
                  {c.purpose ?? "—"}
                  {c.purposeDetail ? <div className="text-xs text-slate-500">{c.purposeDetail}</div> : null}
                </Td>
                <Td className="text-xs">{c.permissions.length > 0 ? c.permissions.join("; ") : "—"}</Td>
                <Td className="whitespace-nowrap"><When value={c.created} /></Td>
                <Td className="whitespace-nowrap">
                  <When value={c.expiryDate} />
                  {c.status === "active" && c.daysToExpiry !== null ? (
                    <div className={c.daysToExpiry < 7 ? "text-xs font-semibold text-amber-800" : "text-xs text-slate-500"} data-testid="days-to-expiry">
                      {c.daysToExpiry <= 0 ? "expires today" : `${c.daysToExpiry} day${c.daysToExpiry === 1 ? "" : "s"} to expiry`}
                    </div>
                  ) : null}
                </Td>
                <Td className="whitespace-nowrap"><When value={c.revoked} /></Td>
                {data.canRevoke ? (
                  <Td>
                    {c.status === "active" ? (
                      <RevokeConsentButton userId={userId} consentId={c.id} signedInAt={data.signedInAt} revoke={revokeConsentAction} />
                    ) : null}
                  </Td>
                ) : null}
              </tr>
            ))
          )}
        </tbody>
      </Table>
    </div>
  );
}
