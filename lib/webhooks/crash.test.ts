// Issue 17 acceptance: the server is killed (SIGKILL) between storing and processing 50 deliveries; after the
// restart all 50 are processed, none twice. A real child process stores them through the receiver while the
// sandbox holds its Basiq calls (some deliveries leased, some with their event already claimed in the ledger),
// and is killed; the start-up recovery (processPendingDeliveries) then finishes every one exactly once.
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";

import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { createBasiqClient } from "@/lib/basiq/client";
import { openDatabase, type Database } from "@/lib/db/client";
import { migratePglite } from "@/lib/db/migrate";
import { basiqEventLedger, webhookDeliveries } from "@/lib/db/schema";
import { startSandbox, type Sandbox } from "@/sandbox/server";
import { createTestDatabase, type TestDatabase } from "@/test/db";

import { processPendingDeliveries } from "./process";

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
    const first = await withDb((db) => processPendingDeliveries(db, client));
    const again = await withDb((db) => processPendingDeliveries(db, client));
    expect(first.processed).toBe(50);
    expect(first.failed + first.duplicate + first.busy).toBe(0);
    expect(again).toEqual({ processed: 0, duplicate: 0, ignored: 0, failed: 0, busy: 0 });

    await withDb(async (db) => {
      const rows = await db.select().from(webhookDeliveries);
      expect(rows.every((d) => d.status === "processed" && d.processedAt !== null)).toBe(true);
      const ledger = await db.select().from(basiqEventLedger).where(eq(basiqEventLedger.source, "webhook"));
      expect(ledger.map((l) => l.eventId).sort()).toEqual([...ids].sort());
    });
  }, 120_000);
});
