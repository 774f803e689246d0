// The webhook secret of the console under test: in sandbox mode it is derived from its AUTH_SECRET (lib/env.ts
// sandboxWebhookSecret), which serve.ts's DATA_DIR holds. Tests sign deliveries with it; leaks.spec looks for it.
import { createHmac } from "node:crypto";
import { readFileSync } from "node:fs";
import path from "node:path";

import { Webhook } from "standardwebhooks";

import { dataDirFile } from "./paths";

export function consoleWebhookSecret(): string {
  const dataDir = readFileSync(dataDirFile, "utf8").trim();
  const { authSecret } = JSON.parse(readFileSync(path.join(dataDir, "dev-secrets.json"), "utf8")) as { authSecret: string };
  return `whsec_${createHmac("sha256", authSecret).update("basiq-sandbox-webhook-secret").digest("base64")}`;
}

/** Headers of a delivery of `body` signed now with `secret`. */
export function signedWebhookHeaders(id: string, body: string, secret: string): Record<string, string> {
  const now = new Date();
  return {
    "content-type": "application/json",
    "webhook-id": id,
    "webhook-timestamp": String(Math.floor(now.getTime() / 1000)),
    "webhook-signature": new Webhook(secret).sign(id, now, body),
  };
}
