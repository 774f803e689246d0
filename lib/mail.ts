import "server-only";

// The one way the console sends e-mail: SMTP (SMTP_URL, SMTP_FROM in lib/env.ts) through nodemailer. Small and
// generic on purpose: invitations (lib/invitations) and alerts use it alike. Failures are logged without the
// message, the recipient or the server's reply (which may echo either); the caller decides what to tell a person.
import nodemailer, { type Transporter } from "nodemailer";

import { env } from "@/lib/env";
import { log } from "@/lib/log";

export interface MailMessage {
  to: string;
  subject: string;
  /** Plain text only: nothing in a console mail needs HTML. */
  text: string;
}

export type MailResult = { sent: true } | { sent: false; reason: "not-configured" | "failed" };

let transport: { url: string; transporter: Transporter } | undefined;

function transporterFor(url: string): Transporter {
  if (transport?.url !== url) transport = { url, transporter: nodemailer.createTransport(url) };
  return transport.transporter;
}

/** Whether SMTP is configured at all (without it, callers show the content to the person instead). */
export function mailConfigured(): boolean {
  return env().smtp !== undefined;
}

/** Sends one message; never throws. */
export async function sendMail(message: MailMessage): Promise<MailResult> {
  const smtp = env().smtp;
  if (!smtp) return { sent: false, reason: "not-configured" };
  try {
    await transporterFor(smtp.url).sendMail({ from: smtp.from, to: message.to, subject: message.subject, text: message.text });
    return { sent: true };
  } catch (e) {
    const err = e as { code?: unknown; responseCode?: unknown };
    log.warn({ err: { code: typeof err.code === "string" ? err.code : undefined, responseCode: err.responseCode } }, "mail not sent");
    return { sent: false, reason: "failed" };
  }
}
