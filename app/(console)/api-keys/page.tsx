import type { Metadata } from "next";

import { Badge } from "@/components/ui/badge";
import { Card, CardTitle } from "@/components/ui/card";
import { PageHeader } from "@/components/ui/page-header";
import { EmptyRow, Table, Td, Th } from "@/components/ui/table";
import { When } from "@/components/ui/when";
import { listApiKeys } from "@/lib/api-keys/keys";
import { guardPage } from "@/lib/auth/guard";

import { createApiKeyAction, revokeApiKeyAction } from "./actions";
import { NewApiKeyForm, RevokeApiKeyButton } from "./_components/api-key-controls";

export const metadata: Metadata = { title: "API keys" };

export default async function ApiKeysPage() {
  await guardPage("apiKeys.manage", "/api-keys");
  const keys = await listApiKeys();
  return (
    <>
      <PageHeader
        title="API keys"
        description={
          <>
            Keys for the partner&apos;s back end to call <code>POST /api/v1/users/&#123;userId&#125;/check</code> when its user signs in (documented at{" "}
            <a className="text-sky-700 underline" href="/api/v1/openapi.json">
              /api/v1/openapi.json
            </a>
            ). A key opens that endpoint only — no page, no action — and at most 10 requests a second. Every call is audited under the key&apos;s name.
          </>
        }
      />
      <Card className="mb-4">
        <CardTitle>New key</CardTitle>
        <NewApiKeyForm create={createApiKeyAction} />
      </Card>
      <Table label="API keys">
        <thead>
          <tr>
            <Th>Name</Th>
            <Th>Key</Th>
            <Th>Scope</Th>
            <Th>Created</Th>
            <Th>Last used</Th>
            <Th>Status</Th>
            <Th>
              <span className="sr-only">Actions</span>
            </Th>
          </tr>
        </thead>
        <tbody>
          {keys.length === 0 ? (
            <EmptyRow colSpan={7}>No API keys yet.</EmptyRow>
          ) : (
            keys.map((k) => (
              <tr key={k.id} data-testid="api-key-row">
                <Td className="font-medium">{k.name}</Td>
                <Td className="font-mono text-xs">{k.prefix}</Td>
                <Td className="font-mono text-xs">{k.scope}</Td>
                <Td className="whitespace-nowrap"><When value={k.createdAt} /></Td>
                <Td className="whitespace-nowrap"><When value={k.lastUsedAt} empty="never" /></Td>
                <Td>{k.revokedAt ? <Badge tone="bad">revoked</Badge> : <Badge tone="good">active</Badge>}</Td>
                <Td>{k.revokedAt ? null : <RevokeApiKeyButton id={k.id} name={k.name} revoke={revokeApiKeyAction} />}</Td>
              </tr>
            ))
          )}
        </tbody>
      </Table>
    </>
  );
}
