// Test helpers for the webhook tests (imported by lib/webhooks/*.test.ts and the crash child only): the receiver
// served over real HTTP (so the sandbox delivers to it), and Standard Webhooks signing of hand-made deliveries.
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";

import { Webhook } from "standardwebhooks";

import type { Database } from "@/lib/db";

import { receiveWebhook } from "./receive";

export const TEST_SECRET = `whsec_${Buffer.alloc(32, 3).toString("base64")}`;
/** The crash test's child enqueues this many of its deliveries and only stores the rest. */
export const CRASH_ENQUEUED = 25;
export const OTHER_SECRET = `whsec_${Buffer.alloc(32, 4).toString("base64")}`;

/** Headers of a delivery signed with `secret` at `at` (seconds). */
export function signedHeaders(id: string, body: string, options: { secret?: string; at?: number } = {}): Record<string, string> {
  const at = options.at ?? Math.floor(Date.now() / 1000);
  return {
    "content-type": "application/json",
    "webhook-id": id,
    "webhook-timestamp": String(at),
    "webhook-signature": new Webhook(options.secret ?? TEST_SECRET).sign(id, new Date(at * 1000), body),
  };
}

export interface ReceiverServer {
  url: string;
  server: Server;
  close(): Promise<void>;
}

/** The receiver on a random local port; `schedule` is what the route's enqueue would do. */
export async function serveReceiver(db: Database, schedule: (id: string) => void, secrets: readonly string[] = [TEST_SECRET]): Promise<ReceiverServer> {
  const server = createServer((req, res) => {
    void (async () => {
      const chunks: Buffer[] = [];
      for await (const chunk of req) chunks.push(chunk as Buffer);
      const headers = new Headers();
      for (const [name, value] of Object.entries(req.headers)) if (typeof value === "string") headers.set(name, value);
      const request = new Request(`http://127.0.0.1${req.url ?? "/"}`, { method: req.method, headers, body: Buffer.concat(chunks) });
      const response = await receiveWebhook(request, { db: async () => db, secrets, schedule });
      res.writeHead(response.status, { "content-type": "application/json" });
      res.end(await response.text());
    })().catch(() => {
      res.writeHead(500);
      res.end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/api/basiq/webhooks`,
    server,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
