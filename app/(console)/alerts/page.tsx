import type { Metadata } from "next";
import Link from "next/link";

import { Badge } from "@/components/ui/badge";
import { Card, CardTitle } from "@/components/ui/card";
import { PageHeader } from "@/components/ui/page-header";
import { EmptyRow, Table, Td, Th } from "@/components/ui/table";
import { guardPage } from "@/lib/auth/guard";
import { listAlertSetup } from "@/lib/dal/alerts";
import { env } from "@/lib/env";

import { EnabledToggle, NewChannelForm, NewRuleForm } from "./_components/alert-forms";

export const metadata: Metadata = { title: "Alerts" };

function paramsText(params: Record<string, unknown>): string {
  return Object.entries(params)
    .map(([k, v]) => `${k}: ${Array.isArray(v) ? v.join(", ") : String(v)}`)
    .join(" · ");
}

export default async function AlertsPage() {
  await guardPage("alerts.manage", "/alerts");
  const { rules, channels } = await listAlertSetup();
  const smtp = env().smtpUrl !== undefined;
  return (
    <>
      <PageHeader
        title="Alerts"
        description="Rules decide when something is wrong; each incident notifies its channels once, and again when it is resolved."
        actions={
          <Link href="/alerts/history" className="text-sm font-medium text-sky-700 underline">
            Alert history
          </Link>
        }
      />
      <Card className="mb-6">
        <CardTitle>Rules</CardTitle>
        <Table label="Alert rules">
          <thead>
            <tr>
              <Th>Name</Th>
              <Th>When</Th>
              <Th>Settings</Th>
              <Th>Notifies</Th>
              <Th>State</Th>
              <Th><span className="sr-only">Change</span></Th>
            </tr>
          </thead>
          <tbody>
            {rules.length === 0 ? (
              <EmptyRow colSpan={6}>No rules yet.</EmptyRow>
            ) : (
              rules.map((r) => (
                <tr key={r.id} data-testid="alert-rule">
                  <Td>{r.name}</Td>
                  <Td>{r.description}</Td>
                  <Td className="text-xs">{paramsText(r.params) || "—"}</Td>
                  <Td>{r.channels.join(", ")}</Td>
                  <Td>{r.enabled ? <Badge tone="good">on</Badge> : <Badge>off</Badge>}</Td>
                  <Td><EnabledToggle what="rule" id={r.id} enabled={r.enabled} name={r.name} /></Td>
                </tr>
              ))
            )}
          </tbody>
        </Table>
        <h3 className="mb-2 mt-4 text-sm font-semibold text-slate-800">New rule</h3>
        <NewRuleForm channels={channels.filter((c) => c.enabled).map((c) => ({ id: c.id, name: c.name }))} />
      </Card>
      <Card>
        <CardTitle>Channels</CardTitle>
        {!smtp ? <p className="mb-2 text-sm text-amber-800">E-mail channels cannot send until SMTP_URL is configured.</p> : null}
        <Table label="Alert channels">
          <thead>
            <tr>
              <Th>Name</Th>
              <Th>Kind</Th>
              <Th>Target</Th>
              <Th>State</Th>
              <Th><span className="sr-only">Change</span></Th>
            </tr>
          </thead>
          <tbody>
            {channels.length === 0 ? (
              <EmptyRow colSpan={5}>No channels yet.</EmptyRow>
            ) : (
              channels.map((c) => (
                <tr key={c.id} data-testid="alert-channel">
                  <Td>{c.name}</Td>
                  <Td>{c.kind === "slack" ? "Webhook" : "E-mail"}</Td>
                  <Td className="text-xs">{c.hint}</Td>
                  <Td>{c.enabled ? <Badge tone="good">on</Badge> : <Badge>off</Badge>}</Td>
                  <Td><EnabledToggle what="channel" id={c.id} enabled={c.enabled} name={c.name} /></Td>
                </tr>
              ))
            )}
          </tbody>
        </Table>
        <h3 className="mb-2 mt-4 text-sm font-semibold text-slate-800">New channel</h3>
        <NewChannelForm />
      </Card>
    </>
  );
}
