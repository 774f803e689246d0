import type { Metadata } from "next";

import { Badge } from "@/components/ui/badge";
import { PageHeader } from "@/components/ui/page-header";
import { EmptyRow, Table, Td, Th } from "@/components/ui/table";
import { When } from "@/components/ui/when";
import { guardPage } from "@/lib/auth/guard";
import { listAlertHistory } from "@/lib/dal/alerts";

export const metadata: Metadata = { title: "Alert history" };

const tone = (status: string) => (status === "sent" ? "good" : status === "failed" ? "bad" : status === "pending" ? "warn" : "neutral");

export default async function AlertHistoryPage() {
  await guardPage("alerts.manage", "/alerts/history");
  const incidents = await listAlertHistory();
  return (
    <>
      <PageHeader title="Alert history" description="The latest 100 incidents, newest first, with what each channel was sent." />
      <Table label="Alert history">
        <thead>
          <tr>
            <Th>Opened</Th>
            <Th>Rule</Th>
            <Th>What</Th>
            <Th>State</Th>
            <Th>Deliveries</Th>
          </tr>
        </thead>
        <tbody>
          {incidents.length === 0 ? (
            <EmptyRow colSpan={5}>No alerts yet.</EmptyRow>
          ) : (
            incidents.map((i) => (
              <tr key={i.id} data-testid="alert-incident">
                <Td><When value={i.openedAt} /></Td>
                <Td>{i.rule}</Td>
                <Td className="max-w-md break-words">{i.summary}</Td>
                <Td>
                  {i.status === "open" ? <Badge tone="bad">open</Badge> : <>resolved <When value={i.resolvedAt} relative /></>}
                </Td>
                <Td>
                  <ul className="space-y-1 text-xs">
                    {i.deliveries.map((d, n) => (
                      <li key={n}>
                        {d.channel} · {d.event}: <Badge tone={tone(d.status)}>{d.status}</Badge>
                        {d.attempts > 1 ? ` after ${d.attempts} attempts` : ""}
                        {d.lastError ? ` (${d.lastError})` : ""}
                      </li>
                    ))}
                  </ul>
                </Td>
              </tr>
            ))
          )}
        </tbody>
      </Table>
    </>
  );
}
