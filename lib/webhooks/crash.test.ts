// Issue 17 acceptance: the server is killed (SIGKILL) between storing and processing 50 deliveries; after the
// restart all 50 are processed, none twice. A real child process runs the job engine and stores them through the
// receiver — 25 enqueued, 25 stored only (killed between storing and enqueueing) — while the sandbox holds its
// Basiq calls (some deliveries leased by its workers, some with their event already claimed in the ledger), and is
// killed. The restarted engine then finishes every one exactly once: the jobs the dead process held are failed and
// retried (PGlite: at start-up; PostgreSQL: at their expiry), and the recovery job (the cron's tick) enqueues the
// 25 that never had a job.
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";

import { eq, sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { createBasiqClient } from "@/lib/basiq/client";
import { openDatabase, rowsOf, type Database } from "@/lib/db/client";
import { migratePglite } from "@/lib/db/migrate";
import { basiqEventLedger, webhookDeliveries } from "@/lib/db/schema";
import { startSandbox, type Sandbox } from "@/sandbox/server";
import { createTestDatabase, type TestDatabase } from "@/test/db";

import { enqueue, startQueue, stopQueue } from "@/lib/queue/engine";
import { settleQueues } from "@/test/queue";

import { createWebhookQueues, WEBHOOK_QUEUE, WEBHOOK_RECOVER_QUEUE } from "./queues";
import { CRASH_ENQUEUED as ENQUEUED } from "./test-support";

let sandbox: Sandbox;
let pg: TestDatabase | undefined;
let pgliteDir: string | undefined;

beforeAll(async () => {
  sandbox = await startSandbox({ port: 0, users: 300 });
  if (process.env.DATABASE_URL) pg = await createTestDatabase();
  else {
    pgliteDir = path.join(mkdtempSync(path.join(tmpdir(), "webhooks-crash-")), "db");
    const opened = await openDatabase({ pgliteDir });
    await migratePglite(opened.db);
    await opened.close();
  }
}, 60_000);
afterAll(async () => {
  await pg?.close();
  await sandbox?.close();
});

async function withDb<T>(work: (db: Database) => Promise<T>): Promise<T> {
  if (pg) return work(pg.db);
  const opened = await openDatabase({ pgliteDir });
  try {
    return await work(opened.db);
  } finally {
    await opened.close();
  }
}

describe(`SIGKILL between storing and processing (${process.env.DATABASE_URL ? "PostgreSQL" : "PGlite"})`, () => {
  it("all 50 deliveries are processed after the restart, none twice", async () => {
    const client = createBasiqClient({ baseUrl: sandbox.url, apiKey: "sandbox-key", timeoutMs: 5_000 });
    const eventIds: string[] = [];
    let next: string | undefined;
    while (eventIds.length < 50) {
      const page = await client.listEvents({ next });
      eventIds.push(...page.events.map((e) => e.id));
      next = page.next;
      if (!next) break;
    }
    expect(eventIds.length).toBeGreaterThanOrEqual(50);
    const ids = eventIds.slice(0, 50);
    // Basiq answers the child's user look-ups never: its processing is cut off mid-way.
    await fetch(`${sandbox.url}/__sandbox/faults`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ kind: "hang", route: "GET /users/{userId}" }) });

    const env: NodeJS.ProcessEnv = { ...process.env, CRASH_EVENT_IDS: JSON.stringify(ids), CRASH_SANDBOX_URL: sandbox.url, LOG_LEVEL: "silent" };
    if (pg) env.CRASH_DATABASE_URL = pg.url;
    else env.CRASH_PGLITE_DIR = pgliteDir;
    delete env.NODE_OPTIONS;
    const child = spawn("node_modules/.bin/tsx", ["--conditions=react-server", "lib/webhooks/crash-child.ts"], {
      cwd: process.cwd(),
      env,
      stdio: ["ignore", "pipe", "pipe"],
      detached: true, // its own process group: tsx runs the script in a child process, which must die too
    });
    let stderr = "";
    child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
    const closed = new Promise<void>((resolve) => child.on("close", () => resolve()));
    await new Promise<void>((resolve, reject) => {
      child.stdout.on("data", (d: Buffer) => d.toString().includes("stored") && resolve());
      child.on("close", (code) => reject(new Error(`child ended (${code}) before storing: ${stderr}`)));
    });
    // Let its processing get as far as Basiq lets it (events fetched, claims made), then kill it.
    await new Promise((r) => setTimeout(r, 1_000));
    process.kill(-child.pid!, "SIGKILL");
    await closed;
    // PGlite: the killed process's lock file names its pid, which may linger as a zombie (no init reaps it in a
    // container); it holds nothing any more, so the lock goes the way a restart after a crash would clear it.
    if (pgliteDir) rmSync(`${pgliteDir}.lock`, { force: true });

    const before = await withDb((db) => db.select().from(webhookDeliveries));
    expect(before).toHaveLength(50);
    expect(before.every((d) => d.processedAt === null)).toBe(true);
    expect(before.some((d) => d.lockedBy !== null)).toBe(true); // processing had started when it died
    expect(before.some((d) => d.claimed)).toBe(true); // some had claimed their event in the ledger, not acted yet

    await fetch(`${sandbox.url}/__sandbox/faults`, { method: "DELETE" });
    await withDb(async (db) => {
      const queues = createWebhookQueues({
        getDb: async () => db,
        client: () => client,
        processing: { retryDelay: 1, retryBackoff: false, pollingIntervalSeconds: 0.5 },
        recoverCron: () => undefined,
        recoverAfterMs: 0,
      });
      await startQueue({ db, databaseUrl: pg?.url, queues, maintenanceIntervalSeconds: 1 });
      try {
        const jobsOf = async () =>
          rowsOf<{ delivery_id: string; state: string }>(
            await db.execute(sql`select data->>'deliveryId' as delivery_id, state::text as state from pgboss.job where name = ${WEBHOOK_QUEUE}`),
          );
        expect(new Set((await jobsOf()).map((j) => j.delivery_id)).size).toBe(ENQUEUED); // the other 25 have no job
        await enqueue(WEBHOOK_RECOVER_QUEUE, {}); // the recovery cron's tick
        await settleQueues([WEBHOOK_QUEUE, WEBHOOK_RECOVER_QUEUE], 60_000);
        await enqueue(WEBHOOK_RECOVER_QUEUE, {}); // again: every delivery has its job, nothing more to enqueue
        await settleQueues([WEBHOOK_QUEUE, WEBHOOK_RECOVER_QUEUE], 60_000);

        const rows = await db.select().from(webhookDeliveries);
        expect(rows.filter((d) => d.status === "processed" && d.processedAt !== null)).toHaveLength(50);
        const ledger = await db.select().from(basiqEventLedger).where(eq(basiqEventLedger.source, "webhook"));
        expect(ledger.map((l) => l.eventId).sort()).toEqual([...ids].sort());
        // One job per delivery, every one completed: none enqueued twice, none left failed.
        const jobs = await jobsOf();
        expect(jobs).toHaveLength(50);
        expect(new Set(jobs.map((j) => j.delivery_id)).size).toBe(50);
        expect(jobs.every((j) => j.state === "completed")).toBe(true);
      } finally {
        await stopQueue(2_000);
      }
    });
  }, 120_000);
});
