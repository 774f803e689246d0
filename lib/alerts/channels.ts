import "server-only";

// Sending one notification on one channel. A channel's target (webhook URL or recipients) is stored encrypted with
// the console's field key (lib/crypto), bound to the channel's kind, and decrypted only here, just before sending.
import nodemailer from "nodemailer";

import { decrypt, encrypt } from "@/lib/crypto";
import { env } from "@/lib/env";

import type { ChannelKind } from "./rules";

const context = (kind: ChannelKind, channelId: number) => ({ table: "alert_channels", column: `target:${kind}`, rowId: String(channelId) });

export function sealTarget(kind: ChannelKind, channelId: number, plaintext: string): string {
  return encrypt(plaintext, context(kind, channelId));
}

export function openTarget(kind: ChannelKind, channelId: number, stored: string): string {
  return decrypt(stored, context(kind, channelId));
}

/** What the channel list may show: never the URL's path (Slack's secret) or an address. */
export function hintOf(kind: ChannelKind, plaintext: string): string {
  if (kind === "slack") return new URL(plaintext).host;
  const n = plaintext.split(/[\s,;]+/).filter(Boolean).length;
  return `${n} recipient${n === 1 ? "" : "s"}`;
}

export interface Notification {
  subject: string;
  text: string;
}

/** A failure to send, with a message safe to store and show (a status or an error code, never the URL). */
export class DeliveryError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "DeliveryError";
  }
}

export async function send(kind: ChannelKind, target: string, note: Notification): Promise<void> {
  if (kind === "slack") return sendSlack(target, note);
  return sendEmail(target, note);
}

async function sendSlack(url: string, note: Notification): Promise<void> {
  let res: Response;
  try {
    res = await fetch(url, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ text: `*${note.subject}*\n${note.text}` }),
      redirect: "manual",
      signal: AbortSignal.timeout(10_000),
    });
  } catch (error) {
    const code = (error as { cause?: { code?: string } })?.cause?.code;
    throw new DeliveryError(`webhook unreachable (${typeof code === "string" && /^[A-Z_]{2,40}$/.test(code) ? code : (error as Error)?.name ?? "error"})`);
  }
  await res.body?.cancel().catch(() => {});
  if (!res.ok) throw new DeliveryError(`webhook answered HTTP ${res.status}`);
}

async function sendEmail(recipients: string, note: Notification): Promise<void> {
  const { smtpUrl, alertsFrom } = env();
  if (!smtpUrl) throw new DeliveryError("SMTP_URL is not configured");
  const transport = nodemailer.createTransport(smtpUrl, { connectionTimeout: 10_000, greetingTimeout: 10_000, socketTimeout: 20_000 });
  try {
    await transport.sendMail({
      from: alertsFrom,
      to: recipients.split(/[\s,;]+/).filter(Boolean),
      subject: note.subject,
      text: note.text,
    });
  } catch (error) {
    const e = error as { responseCode?: number; code?: string };
    throw new DeliveryError(`SMTP refused the message (${e.responseCode ?? e.code ?? "error"})`);
  } finally {
    transport.close();
  }
}
