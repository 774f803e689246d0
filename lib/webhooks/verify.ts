import "server-only";

// Standard Webhooks verification of a Basiq delivery (BASIQ.md "Events and webhooks"), with the maintained
// `standardwebhooks` package: signed content `${id}.${timestamp}.${rawBody}`, HMAC-SHA256 keyed with the base64
// part of the `whsec_…` secret, `v1,<base64>` entries compared in constant time, timestamps more than 5 minutes
// away (either way) refused. The body is verified exactly as received, never re-serialised.
import { Webhook, WebhookVerificationError } from "standardwebhooks";

export type RefusalReason =
  | "missing-headers"
  | "bad-timestamp"
  | "stale-timestamp"
  | "future-timestamp"
  | "bad-signature"
  | "too-large";

export type Verification =
  | { ok: true; id: string; signedAt: Date }
  | { ok: false; reason: Exclude<RefusalReason, "too-large"> };

const MAX_ID_LENGTH = 200;

function reasonOf(error: unknown): Exclude<RefusalReason, "too-large"> {
  if (!(error instanceof WebhookVerificationError)) return "bad-signature";
  switch (error.message) {
    case "Missing required headers":
      return "missing-headers";
    case "Message timestamp too old":
      return "stale-timestamp";
    case "Message timestamp too new":
      return "future-timestamp";
    case "Invalid Signature Headers":
      return "bad-timestamp";
    default:
      return "bad-signature";
  }
}

/** Verifies `rawBody` against each secret in turn (current, then the one being rotated out). */
export function verifyDelivery(rawBody: string, headers: Headers, secrets: readonly string[]): Verification {
  const id = headers.get("webhook-id");
  const timestamp = headers.get("webhook-timestamp");
  const signature = headers.get("webhook-signature");
  if (!id || !timestamp || !signature) return { ok: false, reason: "missing-headers" };
  if (id.length > MAX_ID_LENGTH || !/^[\x21-\x7e]+$/.test(id)) return { ok: false, reason: "bad-signature" };
  const wanted = { "webhook-id": id, "webhook-timestamp": timestamp, "webhook-signature": signature };
  let reason: Exclude<RefusalReason, "too-large"> = "bad-signature";
  for (const secret of secrets) {
    try {
      new Webhook(secret).verify(rawBody, wanted, { jsonParse: false });
      return { ok: true, id, signedAt: new Date(Number(timestamp) * 1000) };
    } catch (error) {
      reason = reasonOf(error);
      // A timestamp or header problem is the same whatever the key: no point trying the previous secret.
      if (reason !== "bad-signature") return { ok: false, reason };
    }
  }
  return { ok: false, reason };
}
