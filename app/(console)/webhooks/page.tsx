import type { Metadata } from "next";

import { Alert } from "@/components/ui/alert";
import { Badge, type Tone } from "@/components/ui/badge";
import { Card, CardTitle } from "@/components/ui/card";
import { PageHeader } from "@/components/ui/page-header";
import { EmptyRow, Table, Td, Th } from "@/components/ui/table";
import { When } from "@/components/ui/when";
import { guardPage } from "@/lib/auth/guard";
import { getWebhookHealth } from "@/lib/webhooks/health";
import { WEBHOOK_EVENT_TYPES } from "@/lib/webhooks/manage";

import { SubscriptionForm, TestMessageForm } from "./_components/webhook-forms";

export const metadata: Metadata = { title: "Webhooks" };

const statusTones: Record<string, Tone> = { processed: "good", duplicate: "neutral", ignored: "neutral", received: "info", failed: "bad" };
const refusalLabels: Record<string, string> = {
  "missing-headers": "missing webhook headers",
  "bad-timestamp": "unreadable timestamp",
  "stale-timestamp": "timestamp more than 5 min old",
  "future-timestamp": "timestamp more than 5 min ahead",
  "bad-signature": "signature does not match",
  "too-large": "body over 256 KB",
};

const ms = (value: number | null) => (value === null ? "—" : value < 1000 ? `${value} ms` : `${(value / 1000).toFixed(1)} s`);

export default async function WebhooksPage() {
  await guardPage("webhooks.manage", "/webhooks");
  const h = await getWebhookHealth();
  const subscription = h.subscriptions?.[0];
  const refusals = Object.entries(h.refusals.last24h);
  return (
    <>
      <PageHeader title="Webhooks" description="Basiq tells the console about user, connection and consent changes within seconds." />
      {!h.summary.configured ? (
        <Alert tone="warn" title="Webhooks are off" className="mb-4">
          BASIQ_WEBHOOK_SECRET is not set, so POST /api/basiq/webhooks answers 404 and every delivery is lost. Set it to
          the secret Basiq issued for the subscription and restart.
        </Alert>
      ) : null}
      {h.basiqError ? (
        <Alert tone="error" title="Basiq could not be read" className="mb-4">
          {h.basiqError} The deliveries below are this console&apos;s own records.
        </Alert>
      ) : null}
      <div className="grid gap-4 lg:grid-cols-2">
        <Card>
          <CardTitle>Subscription</CardTitle>
          {subscription ? (
            <dl className="mb-4 space-y-1 text-sm" data-testid="webhook-subscription">
              <div className="flex justify-between gap-2">
                <dt className="text-slate-500">Status</dt>
                <dd>
                  <Badge tone={subscription.status === "active" ? "good" : "warn"}>{subscription.status ?? "unknown"}</Badge>
                </dd>
              </div>
              <div className="flex justify-between gap-2">
                <dt className="text-slate-500">URL</dt>
                <dd className="break-all font-mono text-xs">{subscription.url}</dd>
              </div>
              <div className="flex justify-between gap-2">
                <dt className="text-slate-500">Events</dt>
                <dd className="text-right">{subscription.subscribedEvents?.join(", ") ?? "—"}</dd>
              </div>
            </dl>
          ) : h.subscriptions ? (
            <p className="mb-4 text-sm text-slate-600">No subscription at Basiq yet: create one below.</p>
          ) : null}
          <SubscriptionForm
            id={subscription?.id}
            url={subscription?.url ?? h.suggestedUrl}
            events={subscription?.subscribedEvents ?? [...WEBHOOK_EVENT_TYPES]}
            allEvents={WEBHOOK_EVENT_TYPES}
          />
        </Card>
        <Card>
          <CardTitle>Delivery health</CardTitle>
          <dl className="space-y-1 text-sm" data-testid="webhook-health">
            <div className="flex justify-between gap-2">
              <dt className="text-slate-500">Last delivery</dt>
              <dd>{h.summary.lastReceivedAt ? <When value={h.summary.lastReceivedAt} relative /> : "none yet"}</dd>
            </div>
            <div className="flex justify-between gap-2">
              <dt className="text-slate-500">Received in 24 h</dt>
              <dd>{h.summary.receivedLast24h}</dd>
            </div>
            <div className="flex justify-between gap-2">
              <dt className="text-slate-500">Processing failed in 24 h (retried)</dt>
              <dd>{h.summary.failedLast24h}</dd>
            </div>
            <div className="flex justify-between gap-2">
              <dt className="text-slate-500">Waiting to be processed</dt>
              <dd>{h.summary.pending}</dd>
            </div>
            <div className="flex justify-between gap-2">
              <dt className="text-slate-500">Refused in 24 h (this server process; nothing stored)</dt>
              <dd data-testid="webhook-refused">{h.summary.refusedLast24h}</dd>
            </div>
            {refusals.map(([reason, n]) => (
              <div key={reason} className="flex justify-between gap-2 pl-4">
                <dt className="text-slate-500">{refusalLabels[reason] ?? reason}</dt>
                <dd>{n}</dd>
              </div>
            ))}
          </dl>
          <div className="mt-4">
            <TestMessageForm allEvents={WEBHOOK_EVENT_TYPES} />
          </div>
        </Card>
      </div>

      <h2 className="mb-2 mt-6 text-base font-semibold">Recent deliveries</h2>
      <Table label="Recent webhook deliveries">
        <thead>
          <tr>
            <Th>Received</Th>
            <Th>Event</Th>
            <Th>Outcome</Th>
            <Th>Processed</Th>
            <Th>Latency (Basiq → us · processing)</Th>
            <Th>Attempts · resends</Th>
          </tr>
        </thead>
        <tbody data-testid="webhook-deliveries">
          {h.deliveries.length === 0 ? <EmptyRow colSpan={6}>No delivery received yet.</EmptyRow> : null}
          {h.deliveries.map((d) => (
            <tr key={d.id}>
              <Td>
                <When value={d.receivedAt} />
              </Td>
              <Td>
                <span className="font-mono text-xs">{d.eventTypeId ?? "—"}</span>
              </Td>
              <Td>
                <Badge tone={statusTones[d.status] ?? "neutral"}>{d.status}</Badge>
                {d.detail ? <span className="ml-2 text-xs text-slate-600">{d.detail}</span> : null}
              </Td>
              <Td>{d.processedAt ? <When value={d.processedAt} /> : "—"}</Td>
              <Td>
                {ms(d.transitMs)} · {ms(d.processingMs)}
              </Td>
              <Td>
                {d.attempts} · {d.resends}
              </Td>
            </tr>
          ))}
        </tbody>
      </Table>

      <h2 className="mb-2 mt-6 text-base font-semibold">Basiq&apos;s attempt log</h2>
      <Table label="Basiq's webhook attempt log">
        <thead>
          <tr>
            <Th>Created</Th>
            <Th>Event</Th>
            <Th>Status</Th>
            <Th>Attempts</Th>
          </tr>
        </thead>
        <tbody data-testid="webhook-messages">
          {h.messages.length === 0 ? <EmptyRow colSpan={4}>No message in Basiq&apos;s log.</EmptyRow> : null}
          {h.messages.map((m) => (
            <tr key={m.id}>
              <Td>{m.createdDate ? <When value={m.createdDate} /> : "—"}</Td>
              <Td>
                <span className="font-mono text-xs">{m.eventTypeId ?? "—"}</span>
              </Td>
              <Td>{m.status ?? "—"}</Td>
              <Td>
                <ul className="text-xs">
                  {m.attempts.map((a, i) => (
                    <li key={i}>{a}</li>
                  ))}
                </ul>
              </Td>
            </tr>
          ))}
        </tbody>
      </Table>
    </>
  );
}
