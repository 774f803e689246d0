// A local SMTP server (the smtp-server package) that captures every message, for tests of lib/mail.ts and of
// what is mailed through it. Listens on 127.0.0.1 on a free port; no TLS, no authentication.
import type { AddressInfo } from "node:net";

import { SMTPServer } from "smtp-server";

export interface CapturedMail {
  from: string | undefined;
  to: string[];
  raw: string;
}

export interface CapturingSmtp {
  url: string;
  messages: CapturedMail[];
  close(): Promise<void>;
}

export async function startCapturingSmtp(): Promise<CapturingSmtp> {
  const messages: CapturedMail[] = [];
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ["STARTTLS"],
    logger: false,
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on("data", (c: Buffer) => chunks.push(c));
      stream.on("end", () => {
        messages.push({
          from: session.envelope.mailFrom ? session.envelope.mailFrom.address : undefined,
          to: session.envelope.rcptTo.map((r) => r.address),
          raw: Buffer.concat(chunks).toString("utf8"),
        });
        callback();
      });
    },
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.server.address() as AddressInfo;
  return {
    url: `smtp://127.0.0.1:${port}`,
    messages,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
