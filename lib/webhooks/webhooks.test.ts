// Issue 17 §1 acceptance, in-process: the sandbox sends real signed webhooks to the receiver over HTTP, the
// receiver stores them and enqueues their processing on the job engine (pg-boss, on the test database: PGlite in
// memory, or PostgreSQL with DATABASE_URL) before answering; the engine's workers process them through the ledger
// the events sync shares, and retry a failed processing until it succeeds or is a dead letter.
import { and, count, eq } from "drizzle-orm";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";

import { createBasiqClient, type BasiqClient } from "@/lib/basiq/client";
import { basiqEventLedger, basiqUsers, jobRuns, syncCursors, webhookDeliveries } from "@/lib/db/schema";
import { syncFromEvents } from "@/lib/directory/events";
import { startSandbox, type Sandbox } from "@/sandbox/server";
import { createTestDatabase, type TestDatabase } from "@/test/db";

import { enqueue, queueEngine, startQueue, stopQueue } from "@/lib/queue/engine";
import { settleQueues } from "@/test/queue";

import { pruneWebhookRecords } from "./process";
import { createWebhookQueues, WEBHOOK_QUEUE, WEBHOOK_RECOVER_QUEUE } from "./queues";
import { resetWebhookRefusalsForTests, webhookRefusalSummary } from "./refusals";
import { OTHER_SECRET, serveReceiver, signedHeaders, TEST_SECRET, type ReceiverServer } from "./test-support";

let t: TestDatabase;
let sandbox: Sandbox;
let client: BasiqClient;
let receiver: ReceiverServer;

/** Every processing job enqueued so far has completed or failed for good. */
const settle = () => settleQueues([WEBHOOK_QUEUE, WEBHOOK_RECOVER_QUEUE]);

async function waitFor<T>(probe: () => Promise<T | undefined | null | false>, ms: number): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`condition not met within ${ms} ms`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

async function control(path: string, body?: unknown): Promise<unknown> {
  const res = await fetch(`${sandbox.url}/__sandbox/${path}`, body === undefined ? {} : { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) });
  return res.json();
}

/** An active connection of some sandbox user: [userId, connectionId]. */
async function activeConnections(n: number): Promise<[string, string][]> {
  const { ids } = (await control("users?limit=60")) as { ids: string[] };
  const found: [string, string][] = [];
  for (const userId of ids) {
    for (const c of await client.listConnections(userId)) if (c.status === "active") found.push([userId, c.id]);
    if (found.length >= n) break;
  }
  return found.slice(0, n);
}

const deliveryCount = async () => (await t.db.select({ n: count() }).from(webhookDeliveries))[0]!.n;

beforeAll(async () => {
  t = await createTestDatabase();
  sandbox = await startSandbox({ port: 0, users: 60, webhookSecret: TEST_SECRET, webhookRetryScale: 0.001 });
  client = createBasiqClient({ baseUrl: sandbox.url, apiKey: "sandbox-key", timeoutMs: 5_000 });
  // The registry's definitions over the test database and client; short retry delays, no cron (tests enqueue).
  const queues = createWebhookQueues({
    getDb: async () => t.db,
    client: () => client,
    processing: { retryLimit: 2, retryDelay: 1, retryBackoff: false, pollingIntervalSeconds: 0.5 },
    recoverCron: () => undefined,
    recoverAfterMs: 0,
  });
  await startQueue({ db: t.db, databaseUrl: t.url, queues, maintenanceIntervalSeconds: 5 });
  // What the route does: store, then enqueue the processing job.
  receiver = await serveReceiver(t.db, (id) => enqueue(WEBHOOK_QUEUE, { deliveryId: id }));
  await client.saveWebhook({ url: receiver.url, subscribedEvents: ["connection.invalidated", "connection.deleted", "user.created"] });
}, 60_000);

afterAll(async () => {
  if (await queueEngine()) await settle();
  await stopQueue(2_000);
  await receiver?.close();
  await sandbox?.close();
  await t?.close();
});

beforeEach(async () => {
  if (await queueEngine()) await settle();
  resetWebhookRefusalsForTests();
});

describe("a sandbox-triggered connection.invalidated", () => {
  it("is in the directory and the error log within 5 s, with no page opened", async () => {
    const [userId, connectionId] = (await activeConnections(1))[0]!;
    const started = Date.now();
    await control("connections/invalidate", { userId, connectionId });

    const failed = await waitFor(
      async () =>
        (await t.db.select().from(jobRuns).where(and(eq(jobRuns.userId, userId), eq(jobRuns.connectionId, connectionId), eq(jobRuns.outcome, "failed"))))[0],
      5_000,
    );
    expect(failed.errorCode).toMatch(/^invalid-(credentials|connection)$/);
    const [user] = await t.db.select().from(basiqUsers).where(eq(basiqUsers.id, userId));
    expect(user?.connections?.find((c) => c.id === connectionId)?.status).toBe("invalid");
    expect(Date.now() - started).toBeLessThan(5_000);

    // Basiq's side: the message log shows one delivered attempt.
    const [hook] = await client.listWebhooks();
    const messages = await client.listWebhookMessages(hook!.id);
    expect(messages.find((m) => m.eventTypeId === "connection.invalidated")?.attempts?.[0]).toMatch(/HTTP 202/);
  });
});

describe("speed", () => {
  it("answers 100 deliveries with p95 under 1 s (durable insert before the answer)", async () => {
    const times: number[] = [];
    for (let i = 0; i < 100; i++) {
      const id = `msg_speed_${i}`;
      const body = JSON.stringify({ eventTypeId: "user.updated", eventId: `no-such-event-${i}`, links: {} });
      const started = performance.now();
      const res = await fetch(receiver.url, { method: "POST", headers: signedHeaders(id, body), body });
      times.push(performance.now() - started);
      expect(res.status).toBe(202);
    }
    times.sort((a, b) => a - b);
    expect(times[94]).toBeLessThan(1_000);
    await settle();
    const rows = await t.db.select().from(webhookDeliveries);
    expect(rows.filter((r) => r.id.startsWith("msg_speed_")).length).toBe(100);
  });
});

describe("processing on the job engine", () => {
  const fault = (body: unknown) => control("faults", body);
  const jobsOf = async (deliveryId: string) => {
    const engine = (await queueEngine())!;
    const { rows } = await engine.boss.getDb().executeSql(
      "select id, state::text as state from pgboss.job where name = $1 and data->>'deliveryId' = $2",
      [WEBHOOK_QUEUE, deliveryId],
    );
    return rows as { id: string; state: string }[];
  };
  /** An event of Basiq's feed that nothing has processed yet. */
  const freshEvent = async () => {
    const done = new Set((await t.db.select({ id: basiqEventLedger.eventId }).from(basiqEventLedger)).map((r) => r.id));
    const { events } = await client.listEvents({});
    return events.find((e) => !done.has(e.id))!;
  };

  it("a failed processing (Basiq answers 400 once) is retried by the engine and then processed once", async () => {
    const event = await freshEvent();
    await fault({ kind: "status", route: "GET /events/{eventId}", status: 400, count: 1 });
    const body = JSON.stringify({ eventTypeId: `${event.entity}.${event.eventType}`, eventId: event.id, links: {} });
    expect((await fetch(receiver.url, { method: "POST", headers: signedHeaders("msg_retry", body), body })).status).toBe(202);
    await settle();
    const [row] = await t.db.select().from(webhookDeliveries).where(eq(webhookDeliveries.id, "msg_retry"));
    expect(row).toMatchObject({ status: "processed", attempts: 2 });
    expect((await jobsOf("msg_retry")).map((j) => j.state)).toEqual(["completed"]);
    expect(await t.db.select().from(basiqEventLedger).where(eq(basiqEventLedger.eventId, event.id))).toHaveLength(1);
  });

  it("a processing that fails every retry is a failed job and a dead letter; the operator's retry processes it", async () => {
    const event = await freshEvent();
    await fault({ kind: "status", route: "GET /events/{eventId}", status: 400, count: 3 });
    const body = JSON.stringify({ eventTypeId: `${event.entity}.${event.eventType}`, eventId: event.id, links: {} });
    expect((await fetch(receiver.url, { method: "POST", headers: signedHeaders("msg_dead", body), body })).status).toBe(202);
    await settle();
    const [failed] = await t.db.select().from(webhookDeliveries).where(eq(webhookDeliveries.id, "msg_dead"));
    expect(failed).toMatchObject({ status: "failed", attempts: 3, processedAt: null }); // the first attempt and 2 retries
    const [job] = await jobsOf("msg_dead");
    expect(job?.state).toBe("failed");
    const engine = (await queueEngine())!;
    expect(await engine.boss.getQueueSize(`${WEBHOOK_QUEUE}__dead`)).toBe(1);

    await engine.boss.retry(WEBHOOK_QUEUE, job!.id); // what /operations' retry does
    await settle();
    const [row] = await t.db.select().from(webhookDeliveries).where(eq(webhookDeliveries.id, "msg_dead"));
    expect(row).toMatchObject({ status: "processed", attempts: 4 });
  });

  it("a delivery stored without a job (the process stopped in between) is enqueued by the recovery job, once", async () => {
    const storeOnly = await serveReceiver(t.db, () => undefined);
    try {
      const body = JSON.stringify({ eventTypeId: "user.updated", eventId: "no-such-event-recovered", links: {} });
      expect((await fetch(storeOnly.url, { method: "POST", headers: signedHeaders("msg_unqueued", body), body })).status).toBe(202);
    } finally {
      await storeOnly.close();
    }
    await settle();
    expect(await jobsOf("msg_unqueued")).toEqual([]);
    await enqueue(WEBHOOK_RECOVER_QUEUE, {}); // the cron's tick
    await settle();
    await enqueue(WEBHOOK_RECOVER_QUEUE, {}); // again: it has a job now, nothing more is enqueued
    await settle();
    const [row] = await t.db.select().from(webhookDeliveries).where(eq(webhookDeliveries.id, "msg_unqueued"));
    expect(row).toMatchObject({ status: "ignored", attempts: 1 });
    expect(row?.processedAt).not.toBeNull();
    expect(await jobsOf("msg_unqueued")).toHaveLength(1);
  });
});

describe("refusals store nothing", () => {
  const body = JSON.stringify({ eventTypeId: "user.created", eventId: "e1", links: {} });
  const now = Math.floor(Date.now() / 1000);
  const cases: [string, () => Record<string, string>, string, string?][] = [
    ["forged signature", () => ({ ...signedHeaders("msg_forged", body), "webhook-signature": `v1,${Buffer.alloc(32, 1).toString("base64")}` }), "bad-signature"],
    ["wrong secret", () => signedHeaders("msg_wrong", body, { secret: OTHER_SECRET }), "bad-signature"],
    ["stale timestamp (6 min old)", () => signedHeaders("msg_stale", body, { at: now - 360 }), "stale-timestamp"],
    ["future timestamp (6 min ahead)", () => signedHeaders("msg_future", body, { at: now + 360 }), "future-timestamp"],
    // Signed over the body as sent, then re-serialised (whitespace) on the way: the bytes differ.
    ["re-serialised body", () => signedHeaders("msg_reser", body), "bad-signature", JSON.stringify(JSON.parse(body), null, 2)],
    ["missing headers", () => ({ "content-type": "application/json", "webhook-id": "msg_nohdr" }), "missing-headers"],
  ];
  for (const [name, headers, reason, sentBody] of cases) {
    it(`${name} → 401, nothing stored, counted as ${reason}`, async () => {
      const before = await deliveryCount();
      const res = await fetch(receiver.url, { method: "POST", headers: headers(), body: sentBody ?? body });
      expect(res.status).toBe(401);
      expect(await res.text()).not.toMatch(/whsec|stack|at \//);
      expect(await deliveryCount()).toBe(before);
      expect(webhookRefusalSummary().total).toEqual({ [reason]: 1 });
    });
  }

  it("a body over 256 KB → 413, nothing stored", async () => {
    const before = await deliveryCount();
    const big = JSON.stringify({ eventTypeId: "user.created", eventId: "e1", pad: "x".repeat(300 * 1024) });
    const res = await fetch(receiver.url, { method: "POST", headers: signedHeaders("msg_big", big), body: big });
    expect(res.status).toBe(413);
    expect(await deliveryCount()).toBe(before);
  });

  it("the previous secret is still accepted during a rotation; no secret at all answers 404", async () => {
    const rotating = await serveReceiver(t.db, () => undefined, [OTHER_SECRET, TEST_SECRET]);
    const off = await serveReceiver(t.db, () => undefined, []);
    try {
      const b = JSON.stringify({ eventTypeId: "user.created", eventId: "rot-1" });
      expect((await fetch(rotating.url, { method: "POST", headers: signedHeaders("msg_rot", b), body: b })).status).toBe(202);
      expect((await fetch(off.url, { method: "POST", headers: signedHeaders("msg_off", b), body: b })).status).toBe(404);
    } finally {
      await rotating.close();
      await off.close();
    }
  });
});

describe("exactly once", () => {
  it("the same delivery 5 times, then the same event through the events sync → processed once", async () => {
    const [userId, connectionId] = (await activeConnections(2))[1]!;
    const seen = new Set((await t.db.select({ id: webhookDeliveries.id }).from(webhookDeliveries)).map((r) => r.id));
    await control("connections/invalidate", { userId, connectionId });
    // The sandbox's delivery arrives and is processed.
    const delivery = await waitFor(async () => {
      const rows = await t.db.select().from(webhookDeliveries).where(and(eq(webhookDeliveries.eventTypeId, "connection.invalidated"), eq(webhookDeliveries.status, "processed")));
      return rows.find((d) => !seen.has(d.id));
    }, 5_000);
    await settle();
    const [hook] = await client.listWebhooks();
    const message = (await client.listWebhookMessages(hook!.id)).find((m) => m.id === delivery.id)!;
    const body = JSON.stringify(message.payload ?? {});
    expect(JSON.parse(body)).toMatchObject({ eventId: delivery.eventId });
    // Four resends of the same message (same webhook-id), as Basiq retries do.
    for (let i = 0; i < 4; i++) {
      const res = await fetch(receiver.url, { method: "POST", headers: signedHeaders(delivery.id, body), body });
      expect(res.status).toBe(200);
    }
    await settle();
    // And the events sync reads the same event from GET /events.
    await t.db.delete(syncCursors);
    await syncFromEvents(t.db, client);

    const [row] = await t.db.select().from(webhookDeliveries).where(eq(webhookDeliveries.id, delivery.id));
    expect(row).toMatchObject({ status: "processed", resends: 4, attempts: 1 });
    const ledger = await t.db.select().from(basiqEventLedger).where(eq(basiqEventLedger.eventId, delivery.eventId!));
    expect(ledger).toHaveLength(1);
    expect(ledger[0]!.source).toBe("webhook");
    expect(row!.processedAt).not.toBeNull();
  });

  it("an event the events sync processed first makes the webhook delivery a duplicate", async () => {
    const [userId, connectionId] = (await activeConnections(3))[2]!;
    // No subscription for this one: the event reaches the console through GET /events first.
    const [hook] = await client.listWebhooks();
    await client.saveWebhook({ id: hook!.id, url: receiver.url, subscribedEvents: ["user.created"] });
    try {
      await control("connections/invalidate", { userId, connectionId });
      await t.db.delete(syncCursors);
      await syncFromEvents(t.db, client);
      const events = await client.listEvents({ filter: `user.id.eq('${userId}')` });
      const event = events.events.find((e) => e.entity === "connection" && e.eventType === "invalidated" && e.data && (e.data as { id?: string }).id === connectionId)!;
      const [ledger] = await t.db.select().from(basiqEventLedger).where(eq(basiqEventLedger.eventId, event.id));
      expect(ledger?.source).toBe("events-sync");

      const body = JSON.stringify({ eventTypeId: "connection.invalidated", eventId: event.id, links: {} });
      expect((await fetch(receiver.url, { method: "POST", headers: signedHeaders("msg_late", body), body })).status).toBe(202);
      await settle();
      const [row] = await t.db.select().from(webhookDeliveries).where(eq(webhookDeliveries.id, "msg_late"));
      expect(row?.status).toBe("duplicate");
      expect(row?.attempts).toBe(1);
    } finally {
      await client.saveWebhook({ id: hook!.id, url: receiver.url, subscribedEvents: ["connection.invalidated", "connection.deleted", "user.created"] });
    }
  });
});

describe("the sandbox's retries", () => {
  it("retries a refused delivery on Basiq's (compressed) schedule until it is accepted", async () => {
    // A receiver that refuses twice, then accepts.
    let calls = 0;
    const flaky = await serveReceiver(t.db, () => undefined);
    const original = flaky.server.listeners("request")[0] as (...args: unknown[]) => void;
    flaky.server.removeAllListeners("request");
    flaky.server.on("request", (req, res) => {
      calls++;
      if (calls <= 2) {
        res.writeHead(503);
        res.end();
        return;
      }
      original(req, res);
    });
    const hook = await client.saveWebhook({ url: flaky.url, subscribedEvents: ["user.created"] });
    try {
      const res = await fetch(`${sandbox.url}/notifications/messages/test`, {
        method: "POST",
        headers: { authorization: `Bearer ${await token()}`, "content-type": "application/json" },
        body: JSON.stringify({ eventTypeId: "user.created" }),
      });
      expect(res.status).toBe(201);
      const message = await waitFor(async () => (await client.listWebhookMessages(hook.id)).find((m) => m.status === "delivered"), 10_000);
      expect(message.attempts).toHaveLength(3);
      expect(String(message.attempts?.[0])).toMatch(/HTTP 503/);
      expect(String(message.attempts?.[2])).toMatch(/HTTP 202/);
    } finally {
      await fetch(`${sandbox.url}/notifications/webhooks/${hook.id}`, { method: "DELETE", headers: { authorization: `Bearer ${await token()}` } });
      await flaky.close();
    }
  });
});

describe("retention", () => {
  it("prunes processed deliveries and the webhook's ledger rows after 30 days, nothing newer or unprocessed", async () => {
    const old = new Date(Date.now() - 31 * 24 * 3600_000);
    await t.db.insert(webhookDeliveries).values([
      { id: "msg_old", signedAt: old, receivedAt: old, processedAt: old, status: "processed" },
      { id: "msg_old_pending", signedAt: old, receivedAt: old },
    ]);
    await t.db.insert(basiqEventLedger).values([
      { eventId: "ev_old_webhook", type: "user.created", createdAt: old, processedAt: old, source: "webhook" },
      { eventId: "ev_old_sync", type: "user.created", createdAt: old, processedAt: old, source: "events-sync" },
    ]);
    await pruneWebhookRecords(t.db);
    const ids = (await t.db.select({ id: webhookDeliveries.id }).from(webhookDeliveries)).map((r) => r.id);
    expect(ids).not.toContain("msg_old");
    expect(ids).toContain("msg_old_pending");
    expect(ids.filter((id) => id.startsWith("msg_speed_"))).toHaveLength(100);
    const ledger = (await t.db.select({ id: basiqEventLedger.eventId }).from(basiqEventLedger)).map((r) => r.id);
    expect(ledger).not.toContain("ev_old_webhook");
    expect(ledger).toContain("ev_old_sync"); // the events sync prunes its own rows
    await t.db.delete(webhookDeliveries).where(eq(webhookDeliveries.id, "msg_old_pending"));
  });
});

async function token(): Promise<string> {
  const res = await fetch(`${sandbox.url}/token`, {
    method: "POST",
    headers: { authorization: "Basic sandbox-key", "basiq-version": "3.0", "content-type": "application/x-www-form-urlencoded" },
    body: "scope=SERVER_ACCESS",
  });
  return ((await res.json()) as { access_token: string }).access_token;
}
