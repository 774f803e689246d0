// GET /api/metrics (Prometheus): the bearer token (404 unconfigured, 401 wrong, 200 right), and a scrape after a
// user page's data load shows the Basiq calls that load made — with route templates, never ids or personal data.
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";

import type { TestDatabase } from "@/test/db";
import { actAs, staffWithRole } from "@/test/session-mock";

vi.mock("@/lib/auth/session", async () => (await import("@/test/session-mock")).mockedSessionModule());

const { createTestDatabase } = await import("@/test/db");
const { startSandbox } = await import("@/sandbox/server");
const { resetEnvForTests } = await import("@/lib/env");
const { basiq, resetBasiqClientForTests } = await import("@/lib/basiq");
const { useDatabaseForTests } = await import("@/lib/db/client");
const { syncDirectoryUser } = await import("@/lib/directory/sync");
const { getUserDetail } = await import("@/lib/dal/users");
const { getIntegrationHealth } = await import("@/lib/dal/overview");
const { GET } = await import("@/app/api/metrics/route");
const { checkBearer } = await import("./bearer");
const { recordSignInFailure } = await import("./metrics");

const TOKEN = "test-metrics-token-0123456789";
let t: TestDatabase;
let sandbox: Awaited<ReturnType<typeof startSandbox>>;
let ids: string[];

beforeAll(async () => {
  sandbox = await startSandbox({ port: 0, users: 10 });
  process.env.BASIQ_API_URL = sandbox.url;
  delete process.env.BASIQ_API_KEY;
  process.env.METRICS_TOKEN = TOKEN;
  resetEnvForTests();
  resetBasiqClientForTests();
  t = await createTestDatabase();
  useDatabaseForTests(t.db);
  ids = ((await (await fetch(`${sandbox.url}/__sandbox/users?limit=10`)).json()) as { ids: string[] }).ids;
  await syncDirectoryUser(t.db, basiq(), ids[0]!, "seed");
});
afterAll(async () => {
  delete process.env.METRICS_TOKEN;
  resetEnvForTests();
  await t?.close();
  await sandbox?.close();
});
beforeEach(() => actAs(staffWithRole("support", "00000000-0000-4000-8000-000000000002")));

const scrape = (authorization?: string) =>
  GET(new Request("http://console.test/api/metrics", { headers: authorization ? { authorization } : {} }));

/** The value of one sample line, e.g. sample(text, 'basiq_requests_total{route="GET /users/{userId}",status="200"}'). */
function sample(text: string, series: string): number {
  const line = text.split("\n").find((l) => l.startsWith(`${series} `));
  return line ? Number(line.slice(series.length + 1)) : 0;
}

describe("GET /api/metrics", () => {
  it("is a 404 while METRICS_TOKEN is not configured", async () => {
    delete process.env.METRICS_TOKEN;
    resetEnvForTests();
    try {
      const res = await scrape(`Bearer ${TOKEN}`);
      expect(res.status).toBe(404);
      expect(await res.text()).not.toContain("basiq_");
    } finally {
      process.env.METRICS_TOKEN = TOKEN;
      resetEnvForTests();
    }
  });

  it("is a 401 without the token, with a wrong one, or with another scheme", async () => {
    for (const header of [undefined, "Bearer wrong-token-0123456789", `Basic ${TOKEN}`, `Bearer ${TOKEN}x`, `Bearer ${TOKEN.slice(0, -1)}`, "Bearer"]) {
      const res = await scrape(header);
      expect(res.status, String(header)).toBe(401);
      expect(await res.json()).toEqual({ error: "A valid metrics bearer token is required." });
    }
  });

  it("compares in constant time, on hashes", () => {
    expect(checkBearer(`Bearer ${TOKEN}`, TOKEN)).toBe("ok");
    expect(checkBearer(`bearer ${TOKEN}`, TOKEN)).toBe("ok");
    expect(checkBearer("Bearer ", TOKEN)).toBe("refused");
    expect(checkBearer(null, TOKEN)).toBe("refused");
    expect(checkBearer(`Bearer ${TOKEN}`, undefined)).toBe("not-configured");
  });

  it("after a user page's data load, shows the Basiq calls it made, by route template and status", async () => {
    const before = await (await scrape(`Bearer ${TOKEN}`)).text();
    const userRoute = 'basiq_requests_total{route="GET /users/{userId}",status="200"}';
    const connectionsRoute = 'basiq_requests_total{route="GET /users/{userId}/connections",status="200"}';
    const sandboxBefore = (await (await fetch(`${sandbox.url}/__sandbox/stats`)).json()) as Record<string, number>;

    await getUserDetail(ids[0]!);

    const res = await scrape(`Bearer ${TOKEN}`);
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toContain("text/plain");
    const after = await res.text();
    const sandboxAfter = (await (await fetch(`${sandbox.url}/__sandbox/stats`)).json()) as Record<string, number>;
    const made = (route: string) => (sandboxAfter[route] ?? 0) - (sandboxBefore[route] ?? 0);
    expect(made("GET /users/{userId}")).toBeGreaterThan(0);
    expect(sample(after, userRoute) - sample(before, userRoute)).toBe(made("GET /users/{userId}"));
    expect(sample(after, connectionsRoute) - sample(before, connectionsRoute)).toBe(made("GET /users/{userId}/connections"));
    expect(after).toMatch(/basiq_request_duration_seconds_count\{route="GET \/users\/\{userId\}"\} \d+/);
    expect(after).toMatch(/basiq_token_requests_total\{outcome="ok"\} [1-9]/);
    expect(after).toMatch(/basiq_token_age_seconds \d/);
    expect(after).toMatch(/basiq_in_flight\{lane="interactive"\} 0/);
    expect(after).toMatch(/basiq_lane_capacity\{lane="background"\} \d+/);
    expect(after).toMatch(/console_db_statements \d+/);
    // Tolerant of the job engine's absence: no pgboss schema here, so no queue series, and no error.
    expect(after).not.toContain("queue_jobs{");
  });

  it("has no id, e-mail or name in any label", async () => {
    recordSignInFailure("bad-credentials");
    recordSignInFailure("someone@example.com"); // an unexpected reason is folded into "other"
    const text = await (await scrape(`Bearer ${TOKEN}`)).text();
    expect(text).toContain('console_sign_in_failures_total{reason="bad-credentials"} 1');
    expect(text).toContain('console_sign_in_failures_total{reason="other"} 1');
    for (const id of ids) expect(text).not.toContain(id);
    expect(text).not.toMatch(/@/);
    expect(text).not.toContain(TOKEN);
  });

  it("feeds the integration-health panel the same per-route counters, and the fleet's sweep from the database", async () => {
    actAs(staffWithRole("admin", "00000000-0000-4000-8000-000000000003"));
    const text = await (await scrape(`Bearer ${TOKEN}`)).text();
    const health = await getIntegrationHealth();
    const calls = health.byRoute["GET /users/{userId}"]?.calls;
    const scraped = text
      .split("\n")
      .filter((l) => l.startsWith('basiq_requests_total{route="GET /users/{userId}",'))
      .reduce((n, l) => n + Number(l.split(" ").pop()), 0);
    expect(calls).toBe(scraped);
    expect(health.fleet).toEqual({ queues: [], sweep: null });
  });

  it("reads queue depths from the job engine's tables once its schema exists (fleet-wide)", async () => {
    const { sql } = await import("drizzle-orm");
    const result = (await t.db.execute(sql`select to_regclass('pgboss.job') is not null as present`)) as unknown;
    const rows = (Array.isArray(result) ? result : (result as { rows: unknown[] }).rows) as { present: boolean }[];
    // On PostgreSQL the migrations install pg-boss's own schema (its job table is partitioned by queue, one
    // partition per registered queue); on PGlite the engine installs it at start-up, so stand in for it here with
    // pg-boss 10's shape as far as the scrape reads it: name and an enum state.
    const real = rows[0]?.present === true;
    if (!real) {
      await t.db.execute(sql`create schema pgboss`);
      await t.db.execute(sql`create type pgboss.job_state as enum ('created', 'retry', 'active', 'completed', 'cancelled', 'failed')`);
      await t.db.execute(sql`create table pgboss.job (id uuid primary key default gen_random_uuid(), name text not null, state pgboss.job_state not null default 'created')`);
    }
    await t.db.execute(sql`insert into pgboss.job (name, state) values ('sweep-batch', 'created'), ('sweep-batch', 'created'), ('sweep-batch', 'active'), ('sweep', 'failed')`);
    const text = await (await scrape(`Bearer ${TOKEN}`)).text();
    expect(sample(text, 'queue_jobs{queue="sweep-batch",state="created"}')).toBe(2);
    expect(sample(text, 'queue_jobs{queue="sweep-batch",state="active"}')).toBe(1);
    expect(sample(text, 'queue_jobs{queue="sweep",state="failed"}')).toBe(1);
    if (real) await t.db.execute(sql`delete from pgboss.job where name in ('sweep-batch', 'sweep')`);
    else await t.db.execute(sql`drop schema pgboss cascade`);
  });
});

describe("background work and webhooks in the scrape", () => {
  it("every job the engine runs is timed by queue and outcome (the worker wrapper, any queue)", async () => {
    const { startQueue, stopQueue, enqueue } = await import("@/lib/queue/engine");
    const { settleQueues } = await import("@/test/queue");
    const t2 = await createTestDatabase(); // its own database: the tests above need one without the engine's schema
    try {
      await startQueue({
        db: t2.db,
        databaseUrl: t2.url,
        queues: [
          { name: "metrics-ok", handler: async () => {}, options: { pollingIntervalSeconds: 0.5 } },
          {
            name: "metrics-fails",
            handler: async () => {
              throw new Error("fails");
            },
            options: { retryLimit: 0, pollingIntervalSeconds: 0.5 },
          },
        ],
      });
      await enqueue("metrics-ok", {});
      await enqueue("metrics-ok", {});
      await enqueue("metrics-fails", {});
      await settleQueues(["metrics-ok", "metrics-fails"]);
    } finally {
      await stopQueue(2_000);
      await t2.close();
    }
    const text = await (await scrape(`Bearer ${TOKEN}`)).text();
    expect(sample(text, 'queue_job_duration_seconds_count{queue="metrics-ok",outcome="completed"}')).toBe(2);
    expect(sample(text, 'queue_job_duration_seconds_count{queue="metrics-fails",outcome="failed"}')).toBe(1);
  });

  it("webhook deliveries accepted, rejected (with the refusal's reason), processed, duplicate and failed", async () => {
    const { sql } = await import("drizzle-orm");
    const { receiveWebhook } = await import("@/lib/webhooks/receive");
    const { processWebhookDelivery } = await import("@/lib/webhooks/process");
    const { signedHeaders, OTHER_SECRET, TEST_SECRET } = await import("@/lib/webhooks/test-support");
    const client = basiq("background");
    const before = await (await scrape(`Bearer ${TOKEN}`)).text();
    const scheduled: string[] = [];
    const post = (id: string, body: string, secret = TEST_SECRET) =>
      receiveWebhook(new Request("http://console.test/api/basiq/webhooks", { method: "POST", headers: signedHeaders(id, body, { secret }), body }), {
        db: async () => t.db,
        secrets: [TEST_SECRET],
        schedule: (deliveryId) => void scheduled.push(deliveryId),
      });
    const [seen, fresh] = (await client.listEvents({})).events;
    // The events sync already handled `seen`: its delivery is a duplicate.
    await t.db.execute(sql`insert into basiq_event_ledger (event_id, type, created_at, source) values (${seen!.id}, 'user.updated', now(), 'events-sync')`);
    const deliveries = [
      ["msg_metrics_ok", "no-such-event-metrics"],
      ["msg_metrics_dup", seen!.id],
      ["msg_metrics_fail", fresh!.id],
    ] as const;
    for (const [id, eventId] of deliveries) {
      expect((await post(id, JSON.stringify({ eventTypeId: "user.updated", eventId }))).status).toBe(202);
    }
    expect((await post("msg_metrics_forged", "{}", OTHER_SECRET)).status).toBe(401);
    await fetch(`${sandbox.url}/__sandbox/faults`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ kind: "status", route: "GET /events/{eventId}", status: 400, count: 1 }),
    });
    // The one-shot fault meets the first GET /events/{eventId}: msg_metrics_fail's.
    expect(await processWebhookDelivery(t.db, client, "msg_metrics_fail")).toBe("failed");
    expect(await processWebhookDelivery(t.db, client, "msg_metrics_ok")).toBe("ignored");
    expect(await processWebhookDelivery(t.db, client, "msg_metrics_dup")).toBe("duplicate");
    expect(scheduled).toHaveLength(3);

    const after = await (await scrape(`Bearer ${TOKEN}`)).text();
    const grew = (series: string) => sample(after, series) - sample(before, series);
    expect(grew('webhook_deliveries_total{outcome="accepted"}')).toBe(3);
    expect(grew('webhook_deliveries_total{outcome="rejected"}')).toBe(1);
    expect(grew('webhook_deliveries_total{outcome="ok"}')).toBe(1);
    expect(grew('webhook_deliveries_total{outcome="duplicate"}')).toBe(1);
    expect(grew('webhook_deliveries_total{outcome="failed"}')).toBe(1);
    expect(grew('webhook_refusals_total{reason="bad-signature"}')).toBe(1);
  });
});
