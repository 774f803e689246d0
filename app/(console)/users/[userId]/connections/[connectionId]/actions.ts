"use server";

import { z } from "zod";

import { defineAction } from "@/lib/actions/define-action";
import { recordAudit } from "@/lib/audit";
import { basiqUserIdSchema, connectionIdSchema } from "@/lib/dal/ids";
import { purgeConnection } from "@/lib/dal/purge";
import { refreshConnection, type RefreshBudgetDTO } from "@/lib/dal/refresh";

const purgeInput = z
  .object({
    userId: basiqUserIdSchema,
    connectionId: connectionIdSchema,
    confirm: z.string().max(100),
    password: z.string().max(1024).optional(),
  })
  .refine((v) => v.confirm === v.connectionId, { path: ["confirm"], message: "Type the connection id exactly to confirm." });

/** Ids from a refused request, for the audit row, only if they look like ids (never echo arbitrary input). */
function idsOf(raw: unknown): { userId: string | null; connectionId: string | null } {
  const r = (raw ?? {}) as Record<string, unknown>;
  const ok = (v: unknown) => (typeof v === "string" && /^[A-Za-z0-9_-]{1,64}$/.test(v) ? v : null);
  return { userId: ok(r.userId), connectionId: ok(r.connectionId) };
}

export const purgeConnectionAction = defineAction({
  name: "purgeConnection",
  permission: "connections.purge",
  input: purgeInput,
  async onRefused({ reason, raw, caller }) {
    await recordAudit({
      actor: { id: caller.id, email: caller.email, role: caller.role }, // only signed-in callers are audited
      action: "purge.refused",
      outcome: "denied",
      ...idsOf(raw),
      details: { reason },
    });
  },
  async run(input, caller) {
    const outcome = await purgeConnection(caller, input);
    if (outcome.status === "succeeded") {
      return { ok: true, data: outcome, message: "Purged: Basiq deleted the data fetched by this connection. The connection stays and can be refreshed." };
    }
    return { ok: false, message: `${outcome.message}${outcome.correlationId ? ` Basiq reference: ${outcome.correlationId}.` : ""}` };
  },
});

export const refreshConnectionAction = defineAction({
  name: "refreshConnection",
  permission: "connections.refresh",
  input: z.object({ userId: basiqUserIdSchema, connectionId: connectionIdSchema }),
  async run({ userId, connectionId }): Promise<{ ok: true; data: { jobId: string; joined: boolean; budget: RefreshBudgetDTO }; message: string }> {
    const result = await refreshConnection(userId, connectionId);
    return {
      ok: true,
      data: result,
      message: result.joined
        ? "A refresh is already running for this connection: following it below (no refresh spent)."
        : "Refresh started: its steps update below.",
    };
  },
});
