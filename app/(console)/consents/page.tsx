import type { Metadata } from "next";
import Link from "next/link";

import { CopyMessageButton } from "@/components/consents/copy-message-button";
import { PageHeader } from "@/components/ui/page-header";
import { EmptyRow, Table, Td, Th } from "@/components/ui/table";
import { When } from "@/components/ui/when";
import { guardPage } from "@/lib/auth/guard";
import { listExpiringConsents } from "@/lib/consents/dal";

export const metadata: Metadata = { title: "Consents expiring" };

export default async function ConsentsPage() {
  await guardPage("consents.read", "/consents");
  const expiring = await listExpiringConsents();
  return (
    <>
      <PageHeader
        title="Consents expiring in the next 7 days"
        description={
          <>
            Active CDR consents that end within 7 days, soonest first — from Basiq&apos;s consent.warning and consent.reminder events,
            the user pages and the daily sweep. Ask each user to renew before the date, or their bank data stops and is deleted.
          </>
        }
      />
      <Table label="Consents expiring in the next 7 days">
        <thead>
          <tr>
            <Th>User</Th>
            <Th>Contact (masked)</Th>
            <Th>Expires</Th>
            <Th>Purpose</Th>
            <Th>Message to the user</Th>
          </tr>
        </thead>
        <tbody>
          {expiring.length === 0 ? (
            <EmptyRow colSpan={5}>No consent expires in the next 7 days.</EmptyRow>
          ) : (
            expiring.map((c) => (
              <tr key={c.consentId} data-testid="expiring-consent">
                <Td>
                  <Link href={`/users/${encodeURIComponent(c.userId)}`} className="font-mono text-xs text-sky-800 hover:underline">
                    {c.userId}
                  </Link>
                  <div className="font-mono text-xs text-slate-500">consent {c.consentId}</div>
                </Td>
                <Td className="text-sm">
                  <div>{c.maskedEmail ?? "no e-mail on file"}</div>
                  <div>{c.maskedMobile ?? "no mobile on file"}</div>
                </Td>
                <Td className="whitespace-nowrap">
                  <When value={c.expiryDate} />
                  <div className="text-xs font-semibold text-amber-800">
                    {c.daysToExpiry === 0 ? "today" : `in ${c.daysToExpiry} day${c.daysToExpiry === 1 ? "" : "s"}`}
                  </div>
                </Td>
                <Td className="text-sm">{c.purpose ?? "—"}</Td>
                <Td className="max-w-md text-xs text-slate-700">
                  <p data-testid="consent-message">{c.message}</p>
                  <CopyMessageButton message={c.message} />
                </Td>
              </tr>
            ))
          )}
        </tbody>
      </Table>
    </>
  );
}
