// Alerts end to end (in-process): rules → incidents (one per dedupe key) → deliveries on a Slack-compatible webhook
// (a local HTTP receiver) and e-mail (a local SMTP server, smtp-server) → "resolved" follow-ups. One test per rule
// type and per channel; a sandbox connector fault gives exactly one alert and one resolution. Deliveries are jobs on
// the job engine (pg-boss on the test database), retried by it; the periodic evaluation is its cron job.
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";

import { sql } from "drizzle-orm";
import { SMTPServer } from "smtp-server";
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";

import type { TestDatabase } from "@/test/db";
import { actAs, staffWithRole } from "@/test/session-mock";

vi.mock("@/lib/auth/session", async () => (await import("@/test/session-mock")).mockedSessionModule());
vi.mock("next/headers", () => ({
  headers: async () => new Headers({ host: "console.test", "user-agent": "test" }),
  cookies: async () => ({ get: () => undefined, getAll: () => [], has: () => false }),
}));

const { createTestDatabase } = await import("@/test/db");
const { startSandbox } = await import("@/sandbox/server");
const { resetEnvForTests } = await import("@/lib/env");
const { basiq, resetBasiqClientForTests } = await import("@/lib/basiq");
const { rowsOf, useDatabaseForTests } = await import("@/lib/db/client");
const { refreshConnectors } = await import("@/lib/connectors/refresh");
const { syncDirectoryUser } = await import("@/lib/directory/sync");
const dal = await import("@/lib/dal/alerts");
const { evaluateAlertRules, evaluateWebhookFailures } = await import("./evaluate");
const { deliverAlert } = await import("./deliver");
const { reconcile } = await import("./incidents");
const { ALERT_DELIVER_QUEUE, ALERT_EVALUATE_QUEUE, createAlertQueues } = await import("./queues");
const { enqueue, queueEngine, startQueue, stopQueue } = await import("@/lib/queue/engine");
const { settleQueues } = await import("@/test/queue");

/** Every delivery job enqueued so far has been sent or has failed every retry. */
const settleAlertDeliveries = () => settleQueues([ALERT_DELIVER_QUEUE, ALERT_EVALUATE_QUEUE]);
/** One tick of the evaluation's cron: the job the engine's schedule enqueues, run by its worker. */
async function evaluationTick(): Promise<void> {
  await enqueue(ALERT_EVALUATE_QUEUE, {});
  await settleAlertDeliveries();
}

let t: TestDatabase;
let sandbox: Awaited<ReturnType<typeof startSandbox>>;
let receiver: Server;
let smtp: SMTPServer;
let webhookUrl: string;
/** What the webhook receiver got: Slack's `text`. */
const posts: string[] = [];
/** What the SMTP server got: raw messages. */
const mails: string[] = [];
/** Answers the receiver gives before its 200s (to test retries). */
let failNext = 0;
let slackChannel: number;
let watchedUser: string;
let watchedConnection: string;
let emailChannel: number;

beforeAll(async () => {
  receiver = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      if (failNext > 0) {
        failNext--;
        return res.writeHead(500).end("try later");
      }
      posts.push((JSON.parse(Buffer.concat(chunks).toString("utf8")) as { text: string }).text);
      res.writeHead(200).end("ok");
    });
  });
  await new Promise<void>((r) => receiver.listen(0, "127.0.0.1", r));
  webhookUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/services/T000/B000/secret-path-token`;

  smtp = new SMTPServer({
    authOptional: true,
    disabledCommands: ["STARTTLS"],
    logger: false,
    onData(stream, _session, done) {
      const chunks: Buffer[] = [];
      stream.on("data", (c: Buffer) => chunks.push(c));
      stream.on("end", () => {
        mails.push(Buffer.concat(chunks).toString("utf8"));
        done();
      });
    },
  });
  await new Promise<void>((r) => smtp.listen(0, "127.0.0.1", r));
  const smtpPort = (smtp.server.address() as AddressInfo).port;

  sandbox = await startSandbox({ port: 0, users: 5 });
  process.env.BASIQ_API_URL = sandbox.url;
  delete process.env.BASIQ_API_KEY;
  process.env.SMTP_URL = `smtp://127.0.0.1:${smtpPort}`;
  process.env.SMTP_FROM = "Basiq console <console@corp.example>"; // SMTP_URL needs a sender (lib/env.ts)
  process.env.ALERTS_FROM = "alerts@console.example";
  process.env.ALERTS_EVALUATE_MINUTES = "5";
  resetEnvForTests();
  resetBasiqClientForTests();
  t = await createTestDatabase();
  useDatabaseForTests(t.db);
  // The registry's alert queues (short retry delays: 2 retries, no wait) on the test database, with their cron.
  await startQueue({ db: t.db, databaseUrl: t.url, queues: createAlertQueues({ delivery: { retryLimit: 2, retryDelay: 0, retryBackoff: false, pollingIntervalSeconds: 0.5 } }) });

  actAs(staffWithRole("admin", "00000000-0000-4000-8000-00000000000a"));
  slackChannel = (await dal.createAlertChannel({ kind: "slack", name: "ops slack", target: webhookUrl })).id;
  emailChannel = (await dal.createAlertChannel({ kind: "email", name: "ops mail", target: "oncall@example.com, second@example.com" })).id;
  const { ids } = (await (await fetch(`${sandbox.url}/__sandbox/users?limit=5`)).json()) as { ids: string[] };
  for (const id of ids) await syncDirectoryUser(t.db, basiq("background"), id, "seed");
  const [first] = rowsOf<{ id: string; connection_id: string }>(
    await t.db.execute(sql`select id, connections->0->>'id' as connection_id from basiq_users where jsonb_array_length(connections) > 1 limit 1`),
  );
  if (!first) throw new Error("the sandbox gave no user with two connections");
  watchedUser = first.id;
  watchedConnection = first.connection_id;
  // First sightings of every connector, before any rule exists.
  await refreshConnectors(t.db, basiq("background"));
});

afterAll(async () => {
  await stopQueue(2_000);
  delete process.env.ALERTS_EVALUATE_MINUTES;
  delete process.env.SMTP_URL;
  delete process.env.SMTP_FROM;
  delete process.env.ALERTS_FROM;
  resetEnvForTests();
  await t?.close();
  await sandbox?.close();
  await new Promise((r) => receiver?.close(r));
  await new Promise<void>((r) => smtp?.close(() => r()));
});

beforeEach(() => {
  actAs(staffWithRole("admin", "00000000-0000-4000-8000-00000000000a"));
  failNext = 0;
});

const about = (list: string[], rule: string) => list.filter((m) => m.includes(rule));
const alerts = (list: string[], rule: string) => about(list, `[ALERT] ${rule}`);
const resolutions = (list: string[], rule: string) => about(list, `[RESOLVED] ${rule}`);

async function rule(name: string, kind: string, params: Record<string, unknown>, channelIds = [slackChannel]): Promise<number> {
  return (await dal.createAlertRule({ name, kind, params, channelIds })).id;
}

async function connectorStatus(connectorId: string, status: string): Promise<void> {
  await fetch(`${sandbox.url}/__sandbox/faults`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ kind: "connector-status", connectorId, method: "web", status }),
  });
}

async function insertJob(values: { id: string; userId: string; connectionId: string; institutionId: string; outcome: string; createdAt: Date; errorCode?: string }) {
  await t.db.execute(sql`
    insert into job_runs (id, user_id, connection_id, institution_id, outcome, error_code, created_at)
    values (${values.id}, ${values.userId}, ${values.connectionId}, ${values.institutionId}, ${values.outcome}, ${values.errorCode ?? null}, ${values.createdAt.toISOString()}::timestamptz)`);
}

describe("on the job engine", () => {
  it("evaluation is a cron schedule every ALERTS_EVALUATE_MINUTES; no in-process timer", async () => {
    const engine = (await queueEngine())!;
    expect((await engine.boss.getSchedules()).map((s) => [s.name, s.cron])).toEqual([[ALERT_EVALUATE_QUEUE, "*/5 * * * *"]]);
    process.env.ALERTS_EVALUATE_MINUTES = "0";
    resetEnvForTests();
    try {
      const evaluate = createAlertQueues().find((q) => q.name === ALERT_EVALUATE_QUEUE)!;
      expect(evaluate.options?.cron).toBeUndefined(); // 0 = off: the engine removes the schedule
    } finally {
      process.env.ALERTS_EVALUATE_MINUTES = "5";
      resetEnvForTests();
    }
  });
});

describe("channels", () => {
  it("stores a channel's webhook URL and recipients encrypted, and shows only a hint", async () => {
    const rows = (await t.db.execute(sql`select kind, target, hint from alert_channels order by id`)) as unknown as { rows?: unknown[] } | unknown[];
    const text = JSON.stringify(rows);
    expect(text).not.toContain("secret-path-token");
    expect(text).not.toContain("oncall@example.com");
    const { channels } = await dal.listAlertSetup();
    expect(channels.map((c) => c.hint)).toEqual([new URL(webhookUrl).host, "2 recipients"]);
    expect(JSON.stringify(channels)).not.toContain("secret-path-token");
  });

  it("refuses a webhook URL that is not http(s), and recipients that are not e-mail addresses", async () => {
    await expect(dal.createAlertChannel({ kind: "slack", name: "x", target: "javascript:alert(1)" })).rejects.toThrow();
    await expect(dal.createAlertChannel({ kind: "email", name: "x", target: "not an address" })).rejects.toThrow();
    actAs(staffWithRole("support", "00000000-0000-4000-8000-00000000000b"));
    await expect(dal.createAlertChannel({ kind: "slack", name: "x", target: webhookUrl })).rejects.toThrow(/permission/i);
  });
});

describe("connector status change (a sandbox connector fault)", () => {
  it("gives exactly one alert and one resolution, on the webhook and by e-mail", async () => {
    await rule("AU00101 down", "connector_status", { statuses: ["major-outage", "partial-outage"] }, [slackChannel, emailChannel]);
    await connectorStatus("AU00101", "major-outage");
    await refreshConnectors(t.db, basiq("background"));
    await refreshConnectors(t.db, basiq("background")); // still down: the same incident, nothing new
    await connectorStatus("AU00101", "partial-outage"); // still one of the chosen statuses: same incident
    await refreshConnectors(t.db, basiq("background"));
    await settleAlertDeliveries();
    expect(alerts(posts, "AU00101 down")).toHaveLength(1);
    expect(alerts(posts, "AU00101 down")[0]).toMatch(/AU00101, web\) is now major-outage \(was operational\)/);
    expect(alerts(mails, "AU00101 down")).toHaveLength(1);
    expect(alerts(mails, "AU00101 down")[0]).toMatch(/^To: oncall@example.com, second@example.com/m);
    expect(alerts(mails, "AU00101 down")[0]).toMatch(/^From: alerts@console.example/m);
    expect(resolutions(posts, "AU00101 down")).toHaveLength(0);

    await connectorStatus("AU00101", "operational");
    await refreshConnectors(t.db, basiq("background"));
    await refreshConnectors(t.db, basiq("background"));
    await settleAlertDeliveries();
    expect(alerts(posts, "AU00101 down")).toHaveLength(1);
    expect(resolutions(posts, "AU00101 down")).toHaveLength(1);
    expect(resolutions(mails, "AU00101 down")).toHaveLength(1);

    const history = await dal.listAlertHistory();
    const incident = history.find((i) => i.rule === "AU00101 down")!;
    expect(incident.status).toBe("resolved");
    expect(incident.deliveries.map((d) => `${d.channel}/${d.event}/${d.status}`).sort()).toEqual([
      "ops mail/opened/sent",
      "ops mail/resolved/sent",
      "ops slack/opened/sent",
      "ops slack/resolved/sent",
    ]);
  });
});

describe("rule types", () => {
  it("failure spike per institution: alerts at the threshold, resolves when the window has fewer", async () => {
    await rule("spike", "failure_spike", { threshold: 3, windowMinutes: 60 });
    const now = new Date();
    for (let i = 0; i < 3; i++) await insertJob({ id: `spike-${i}`, userId: "u-spike", connectionId: "c-spike", institutionId: "AU00004", outcome: "failed", createdAt: now });
    await insertJob({ id: "spike-other", userId: "u-spike", connectionId: "c-other", institutionId: "AU00000", outcome: "failed", createdAt: now });
    await evaluationTick();
    await evaluationTick();
    expect(alerts(posts, "spike")).toHaveLength(1);
    expect(alerts(posts, "spike")[0]).toMatch(/3 failed jobs at .*\(AU00004\) in the last 60 minutes/);
    await t.db.execute(sql`update job_runs set created_at = now() - interval '2 hours' where id like 'spike-%'`);
    await evaluationTick();
    expect(resolutions(posts, "spike")).toHaveLength(1);
  });

  it("failed job for a watched user or connection (support watches): alerts once, resolves after a later success", async () => {
    await rule("watched", "watched_job_failed", {});
    actAs(staffWithRole("support", "00000000-0000-4000-8000-00000000000b"));
    await expect(dal.setWatch({ userId: "no-such-user", watch: true })).rejects.toThrow(/No such user/);
    await expect(dal.setWatch({ userId: watchedUser, connectionId: "no-such-connection", watch: true })).rejects.toThrow(/No such connection/);
    await dal.setWatch({ userId: watchedUser, connectionId: watchedConnection, watch: true });
    expect(await dal.isWatched(watchedUser, watchedConnection)).toBe(true);
    expect(await dal.isWatched(watchedUser)).toBe(false);
    actAs(staffWithRole("staff", "00000000-0000-4000-8000-00000000000c"));
    await expect(dal.setWatch({ userId: watchedUser, watch: true })).rejects.toThrow(/permission/i);

    const t0 = new Date(Date.now() - 60_000);
    await insertJob({ id: "job-watched-1", userId: watchedUser, connectionId: watchedConnection, institutionId: "AU00000", outcome: "failed", createdAt: t0, errorCode: "user-action-required" });
    await insertJob({ id: "job-unwatched", userId: watchedUser, connectionId: "c-not-watched", institutionId: "AU00000", outcome: "failed", createdAt: t0 });
    await evaluateAlertRules();
    await evaluateAlertRules();
    await settleAlertDeliveries();
    expect(alerts(posts, "watched")).toHaveLength(1);
    expect(alerts(posts, "watched")[0]).toContain(`Job job-watched-1 failed (user-action-required) for watched user ${watchedUser}, connection ${watchedConnection}`);
    await insertJob({ id: "job-watched-2", userId: watchedUser, connectionId: watchedConnection, institutionId: "AU00000", outcome: "success", createdAt: new Date() });
    await evaluateAlertRules();
    await settleAlertDeliveries();
    expect(resolutions(posts, "watched")).toHaveLength(1);
  });

  it("Basiq refusing the API key: alerts while refused, resolves once a token is issued again", async () => {
    await rule("api key", "api_key_refused", {});
    process.env.SANDBOX_API_KEY = "not-the-sandbox-key";
    resetEnvForTests();
    resetBasiqClientForTests();
    await basiq().checkAccess().catch(() => {});
    await evaluateAlertRules();
    await evaluateAlertRules();
    await settleAlertDeliveries();
    expect(alerts(posts, "api key")).toHaveLength(1);
    delete process.env.SANDBOX_API_KEY;
    resetEnvForTests();
    resetBasiqClientForTests();
    await basiq().checkAccess();
    await evaluateAlertRules();
    await settleAlertDeliveries();
    expect(resolutions(posts, "api key")).toHaveLength(1);
  });

  it("sweep failed or late: a failed sweep and no recent success alert; a completed sweep resolves both", async () => {
    await rule("sweep", "sweep_failed_or_late", { lateAfterMinutes: 60 });
    await t.db.execute(sql`insert into sweep_runs (trigger, status, started_at, finished_at, message) values ('schedule', 'completed', now() - interval '3 hours', now() - interval '3 hours', null)`);
    await t.db.execute(sql`insert into sweep_runs (trigger, status, started_at, finished_at, message) values ('schedule', 'failed', now(), now(), 'Basiq refused our API key')`);
    await evaluateAlertRules();
    await evaluateAlertRules();
    await settleAlertDeliveries();
    expect(alerts(posts, "sweep")).toHaveLength(2);
    expect(alerts(posts, "sweep").join("\n")).toMatch(/ended failed: Basiq refused our API key/);
    expect(alerts(posts, "sweep").join("\n")).toMatch(/No sweep has completed since/);
    await t.db.execute(sql`insert into sweep_runs (trigger, status, started_at, finished_at) values ('manual', 'completed', now(), now())`);
    await evaluateAlertRules();
    await settleAlertDeliveries();
    expect(resolutions(posts, "sweep")).toHaveLength(2);
  });

  it("webhook deliveries failing: the hook the webhooks area calls alerts at the threshold and resolves below it", async () => {
    await rule("webhooks", "webhook_failures", { threshold: 5 });
    await evaluateWebhookFailures({ failed: 2, windowMinutes: 15 });
    await evaluateWebhookFailures({ failed: 7, windowMinutes: 15 });
    await evaluateWebhookFailures({ failed: 9, windowMinutes: 15 });
    await settleAlertDeliveries();
    expect(alerts(posts, "webhooks")).toHaveLength(1);
    await evaluateWebhookFailures({ failed: 0, windowMinutes: 15 });
    await settleAlertDeliveries();
    expect(resolutions(posts, "webhooks")).toHaveLength(1);
  });
});

describe("delivery", () => {
  it("retries a failed delivery, records the failure, and never sends a delivered one twice", async () => {
    await rule("retry me", "webhook_failures", { threshold: 1 });
    failNext = 1;
    const [deliveryId] = await evaluateWebhookFailures({ failed: 1, windowMinutes: 5 });
    await settleAlertDeliveries();
    expect(alerts(posts, "retry me")).toHaveLength(1);
    const history = await dal.listAlertHistory();
    const d = history.find((i) => i.rule === "retry me")!.deliveries[0]!;
    expect(d).toMatchObject({ status: "sent", attempts: 2, lastError: null });
    await deliverAlert({ deliveryId: deliveryId! }); // the engine running the job again: already sent
    expect(alerts(posts, "retry me")).toHaveLength(1);
  });

  it("keeps a delivery that keeps failing as failed with a reason free of the URL", async () => {
    await rule("always failing", "webhook_failures", { threshold: 1 });
    failNext = 10;
    await evaluateWebhookFailures({ failed: 3, windowMinutes: 5 });
    await settleAlertDeliveries();
    const d = (await dal.listAlertHistory()).find((i) => i.rule === "always failing")!.deliveries[0]!;
    expect(d).toMatchObject({ status: "failed", attempts: 3, lastError: "webhook answered HTTP 500" });
    // The engine gave up after its retries: a dead letter on /operations.
    expect(await (await queueEngine())!.boss.getQueueSize(`${ALERT_DELIVER_QUEUE}__dead`)).toBe(1);
  });

  it("a delivery created while the engine could not take it is enqueued by the next evaluation, and sent once", async () => {
    const ruleId = await rule("orphaned", "webhook_failures", { threshold: 1 });
    // An incident and its delivery row, never enqueued (as when the enqueue failed).
    const [deliveryId] = await reconcile(t.db, { id: ruleId, channelIds: [slackChannel] }, [{ key: "orphan", summary: "orphaned delivery" }]);
    await t.db.execute(sql`update alert_deliveries set created_at = now() - interval '2 minutes' where id = ${deliveryId!}`);
    await settleAlertDeliveries();
    expect(alerts(posts, "orphaned")).toHaveLength(0);
    await evaluationTick();
    await evaluationTick();
    expect(alerts(posts, "orphaned")).toHaveLength(1);
  });

  it("only admins read the history and manage rules", async () => {
    actAs(staffWithRole("support", "00000000-0000-4000-8000-00000000000b"));
    await expect(dal.listAlertHistory()).rejects.toThrow(/permission/i);
    await expect(dal.createAlertRule({ name: "x", kind: "api_key_refused", params: {}, channelIds: [slackChannel] })).rejects.toThrow(/permission/i);
  });
});
