// Child process of lib/webhooks/crash.test.ts (never imported by the app): runs the job engine with the webhook
// queues, receives 50 signed deliveries through the real receiver — the first 25 enqueued as the route does, the
// last 25 stored only (as if the process stopped between storing and enqueueing) — prints "stored" once every one
// was answered, then waits — the sandbox holds its Basiq calls, so its workers are mid-processing — until the
// test kills it with SIGKILL.
import { createBasiqClient } from "@/lib/basiq/client";
import { openDatabase } from "@/lib/db/client";
import { enqueue, startQueue } from "@/lib/queue/engine";

import { createWebhookQueues, WEBHOOK_QUEUE } from "./queues";
import { receiveWebhook } from "./receive";
import { CRASH_ENQUEUED as ENQUEUED, signedHeaders, TEST_SECRET } from "./test-support";

async function main(): Promise<void> {
  const eventIds = JSON.parse(process.env.CRASH_EVENT_IDS ?? "[]") as string[];
  const databaseUrl = process.env.CRASH_DATABASE_URL;
  const opened = await openDatabase({ databaseUrl, pgliteDir: process.env.CRASH_PGLITE_DIR });
  const client = createBasiqClient({ baseUrl: process.env.CRASH_SANDBOX_URL!, apiKey: "sandbox-key", timeoutMs: 60_000 });
  const queues = createWebhookQueues({
    getDb: async () => opened.db,
    client: () => client,
    // A short expiry: on PostgreSQL the jobs this process dies holding are failed (and retried) 5 s later.
    processing: { localConcurrency: 8, expireInSeconds: 5, pollingIntervalSeconds: 0.5 },
    recoverCron: () => undefined,
  });
  await startQueue({ db: opened.db, databaseUrl, queues });
  for (const [i, eventId] of eventIds.entries()) {
    const body = JSON.stringify({ eventTypeId: "user.updated", eventId, links: {} });
    const request = new Request("http://127.0.0.1/api/basiq/webhooks", { method: "POST", headers: signedHeaders(`msg_crash_${i}`, body), body });
    const response = await receiveWebhook(request, {
      db: async () => opened.db,
      secrets: [TEST_SECRET],
      schedule: (id) => (i < ENQUEUED ? enqueue(WEBHOOK_QUEUE, { deliveryId: id }) : undefined),
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
