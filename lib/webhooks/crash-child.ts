// Child process of lib/webhooks/crash.test.ts (never imported by the app): receives 50 signed deliveries through
// the real receiver, with processing scheduled as the route does, prints "stored" once every one was answered,
// then waits — the sandbox holds its Basiq calls — until the test kills it with SIGKILL.
import { createBasiqClient } from "@/lib/basiq/client";
import { openDatabase } from "@/lib/db/client";

import { processWebhookDelivery } from "./process";
import { receiveWebhook } from "./receive";
import { signedHeaders, TEST_SECRET } from "./test-support";

async function main(): Promise<void> {
  const eventIds = JSON.parse(process.env.CRASH_EVENT_IDS ?? "[]") as string[];
  const opened = await openDatabase({ databaseUrl: process.env.CRASH_DATABASE_URL, pgliteDir: process.env.CRASH_PGLITE_DIR });
  const client = createBasiqClient({ baseUrl: process.env.CRASH_SANDBOX_URL!, apiKey: "sandbox-key", timeoutMs: 60_000 });
  for (const [i, eventId] of eventIds.entries()) {
    const body = JSON.stringify({ eventTypeId: "user.updated", eventId, links: {} });
    const request = new Request("http://127.0.0.1/api/basiq/webhooks", { method: "POST", headers: signedHeaders(`msg_crash_${i}`, body), body });
    const response = await receiveWebhook(request, {
      db: async () => opened.db,
      secrets: [TEST_SECRET],
      schedule: (id) => void processWebhookDelivery(opened.db, client, id).catch(() => undefined),
    });
    if (response.status !== 202) throw new Error(`delivery ${i} answered ${response.status}`);
  }
  process.stdout.write("stored\n");
  setInterval(() => undefined, 60_000);
}

main().catch((e: unknown) => {
  process.stderr.write(`${e instanceof Error ? e.message : String(e)}\n`);
  process.exit(1);
});
