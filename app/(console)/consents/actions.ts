"use server";

import { z } from "zod";

import { defineAction } from "@/lib/actions/define-action";
import { recordAudit } from "@/lib/audit";
import { revokeConsent } from "@/lib/consents/revoke";
import { basiqUserIdSchema, consentIdSchema } from "@/lib/dal/ids";

const revokeInput = z
  .object({
    userId: basiqUserIdSchema,
    consentId: consentIdSchema,
    confirm: z.string().max(200),
    password: z.string().max(1024).optional(),
  })
  .refine((v) => v.confirm.trim() === v.consentId, { path: ["confirm"], message: "Type the consent id exactly to confirm." });

/** Ids from a refused request, for the audit row, only if they look like ids (never echo arbitrary input). */
function idsOf(raw: unknown): { userId: string | null; consentId: string | null } {
  const r = (raw ?? {}) as Record<string, unknown>;
  const ok = (v: unknown) => (typeof v === "string" && /^[A-Za-z0-9_-]{1,64}$/.test(v) ? v : null);
  return { userId: ok(r.userId), consentId: ok(r.consentId) };
}

export const revokeConsentAction = defineAction({
  name: "revokeConsent",
  permission: "consents.revoke",
  input: revokeInput,
  async onRefused({ reason, raw, caller }) {
    const { userId, consentId } = idsOf(raw);
    await recordAudit({
      actor: { id: caller.id, email: caller.email, role: caller.role },
      action: "consent.revoke.refused",
      outcome: "denied",
      userId,
      details: { reason, consentId },
    });
  },
  async run(input, caller) {
    const outcome = await revokeConsent(caller, input);
    if (outcome.status === "succeeded") {
      return {
        ok: true,
        data: outcome,
        message: outcome.already
          ? "This consent was already revoked (or had ended): nothing more was asked of Basiq."
          : "Consent revoked at Basiq, and the console's copy of the user's personal details erased.",
      };
    }
    if (outcome.status === "in-progress") return { ok: false, message: "Another revocation of this consent is running: check the user's consents in a moment." };
    return { ok: false, message: `${outcome.message}${outcome.correlationId ? ` Basiq reference: ${outcome.correlationId}.` : ""}` };
  },
});
