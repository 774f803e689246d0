"use server";

import { revalidatePath } from "next/cache";
import { z } from "zod";

import { defineAction } from "@/lib/actions/define-action";
import { recordAudit } from "@/lib/audit";
import type { CurrentStaff } from "@/lib/auth/session";
import { createApiKey, revokeApiKey, type ApiKeyDTO } from "@/lib/api-keys/keys";

// The API keys page's actions (admin only): thin wrappers over lib/api-keys/keys.ts, which checks the permission
// again and audits. Refusals of signed-in callers are audited too: who tries to mint machine access matters.
async function auditRefusal(action: string, { reason, caller }: { reason: string; caller: CurrentStaff }) {
  await recordAudit({ actor: { id: caller.id, email: caller.email, role: caller.role }, action, outcome: "denied", details: { reason } });
}

export const createApiKeyAction = defineAction({
  name: "createApiKey",
  permission: "apiKeys.manage",
  input: z.object({
    name: z
      .string()
      .trim()
      .min(3, "Give the key a name of at least 3 characters.")
      .max(80, "Keep the name under 80 characters.")
      .regex(/^[\p{L}\p{N} ._()/-]+$/u, "Use letters, digits, spaces and . _ - ( ) / only."),
  }),
  onRefused: (refusal) => auditRefusal("api_key.create", refusal),
  async run({ name }): Promise<{ ok: true; data: { key: string; apiKey: ApiKeyDTO }; message: string }> {
    const created = await createApiKey(name);
    revalidatePath("/api-keys");
    return { ok: true, data: created, message: `API key "${created.apiKey.name}" created: copy it now, it will not be shown again.` };
  },
});

export const revokeApiKeyAction = defineAction({
  name: "revokeApiKey",
  permission: "apiKeys.manage",
  input: z.object({ id: z.string().uuid("is not a key id") }),
  onRefused: (refusal) => auditRefusal("api_key.revoke", refusal),
  async run({ id }): Promise<{ ok: true; data: ApiKeyDTO; message: string }> {
    const revoked = await revokeApiKey(id);
    revalidatePath("/api-keys");
    return { ok: true, data: revoked, message: `API key "${revoked.name}" revoked: calls with it now get 401.` };
  },
});
