// Operators' view: the Prometheus scrape after a user page shows the Basiq calls it made (and the page's HTTP
// duration, from Next.js's request span); the trace of a user page, exported over OTLP to the local receiver
// e2e/serve.ts runs, has one span per Basiq call the sandbox saw under the page's span, with ids and no personal
// data; and an admin defines an alert on /alerts that a connector fault delivers exactly once to a webhook, with its
// resolution, both listed in the history.
import { readFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";

import { expect, test } from "@playwright/test";

import { otlpEndpointFile, storageStateOf } from "./paths";
import { injectFault, sandboxUrl, sandboxUser } from "./sandbox-client";

const METRICS_TOKEN = process.env.METRICS_TOKEN ?? "e2e-metrics-token-0123456789";

test.describe.configure({ mode: "serial" });

function sample(text: string, series: string): number {
  const line = text.split("\n").find((l) => l.startsWith(`${series} `));
  return line ? Number(line.slice(series.length + 1)) : 0;
}

test.describe("metrics", () => {
  test.use({ storageState: storageStateOf("support") });

  test("a scrape after a user page shows the Basiq calls it made; no token, no scrape", async ({ page, request, baseURL }) => {
    const scrape = async () => {
      const res = await request.get(`${baseURL}/api/metrics`, { headers: { authorization: `Bearer ${METRICS_TOKEN}` } });
      expect(res.status()).toBe(200);
      return res.text();
    };
    const user = await sandboxUser(3);
    const series = 'basiq_requests_total{route="GET /users/{userId}",status="200"}';
    const before = sample(await scrape(), series);
    await page.goto(`/users/${user.id}`);
    await expect(page.getByRole("heading", { level: 1 })).toBeVisible();
    const after = await scrape();
    expect(sample(after, series)).toBeGreaterThan(before);
    expect(after).toMatch(/console_http_request_duration_seconds_count\{route="\/users\/\[userId\]",method="GET",status="200"\} [1-9]/);
    expect(after).not.toContain(user.id);
    expect(after).not.toContain(user.email);

    expect((await request.get(`${baseURL}/api/metrics`)).status()).toBe(401); // a session is not the token
    expect((await request.get(`${baseURL}/api/metrics`, { headers: { authorization: "Bearer not-the-token-0000" } })).status()).toBe(401);
  });
});

interface OtlpSpan {
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  name: string;
  startTimeUnixNano: string | number;
  attributes: { key: string; value: Record<string, unknown> }[];
}

const attr = (span: OtlpSpan, key: string) => {
  const v = span.attributes.find((a) => a.key === key)?.value;
  return v ? (v.stringValue ?? (v.intValue !== undefined ? Number(v.intValue) : v.boolValue)) : undefined;
};

test.describe("traces", () => {
  test.use({ storageState: storageStateOf("support") });

  test("a user page's trace: the page span, one Basiq span under it per call the sandbox saw, ids, no personal data", async ({ page }) => {
    const otlp = readFileSync(otlpEndpointFile, "utf8").trim();
    const user = await sandboxUser(29); // a user no other spec opens: every call for it during the test is this page's
    const started = Date.now();
    const sandboxCalls = async () =>
      ((await (await fetch(`${sandboxUrl}/__sandbox/requests/log?userId=${user.id}`)).json()) as { request: string; start: number }[]).filter(
        (e) => e.start >= started,
      );
    const spans = async () => ((await (await fetch(`${otlp}/spans`)).json()) as OtlpSpan[]).filter((s) => Number(s.startTimeUnixNano) / 1e6 >= started - 1_000);
    const basiqSpans = (all: OtlpSpan[]) => all.filter((s) => s.name.startsWith("basiq ") && attr(s, "basiq.user_id") === user.id);

    await page.goto(`/users/${user.id}`);
    await expect(page.getByRole("heading", { level: 1 })).toBeVisible();
    const loaded = Date.now();

    // A sweep or a webhook another spec starts may ask Basiq about this user too (their spans are roots of their
    // own traces): the page's calls are the Basiq spans under the page's request span.
    const rootOf = (s: OtlpSpan, byId: Map<string, OtlpSpan>) => {
      let at = s;
      while (at.parentSpanId && byId.has(at.parentSpanId)) at = byId.get(at.parentSpanId)!;
      return at;
    };
    const isPageRoot = (root: OtlpSpan) =>
      attr(root, "next.span_type") === "BaseServer.handleRequest" && attr(root, "http.target") === `/users/${user.id}`;
    const pageSpans = async () => {
      const all = await spans();
      const byId = new Map(all.map((s) => [s.spanId, s]));
      return { all, mine: basiqSpans(all).filter((s) => isPageRoot(rootOf(s, byId))), byId };
    };
    // What the page asks Basiq: the user, the connections, the consents and the job history, all at once.
    const PAGE_ROUTES = ["GET /users/{userId}", "GET /users/{userId}/connections", "GET /users/{userId}/consents", "GET /users/{userId}/jobs"];
    // The exporter sends every 500 ms: wait until the page's trace has a span for each of its calls.
    await expect
      .poll(async () => [...new Set((await pageSpans()).mine.map((s) => String(attr(s, "basiq.route"))))].sort(), { timeout: 30_000 })
      .toEqual([...PAGE_ROUTES].sort());

    const { all, mine, byId } = await pageSpans();
    // One span per Basiq call: each route once (its attempts counted on it), and every attempt a request the sandbox
    // served for this user while the page loaded.
    expect(mine.map((s) => String(attr(s, "basiq.route"))).sort()).toEqual([...PAGE_ROUTES].sort());
    const served = (await sandboxCalls()).filter((c) => c.start <= loaded);
    for (const s of mine) {
      const route = String(attr(s, "basiq.route"));
      const seen = served.filter((c) => c.request.replace(user.id, "{userId}") === route).length;
      expect(seen, `${route}: the sandbox served at least the span's attempts`).toBeGreaterThanOrEqual(Number(attr(s, "basiq.attempts")));
    }
    const pageRoots = new Set(mine.map((s) => rootOf(s, byId)));
    expect(pageRoots.size, "one page request").toBe(1);
    for (const root of pageRoots) {
      expect(root.parentSpanId ?? "").toBe("");
      expect(attr(root, "http.status_code")).toBe(200);
    }
    for (const s of mine) {
      expect(s.name).toBe(`basiq ${String(attr(s, "basiq.route"))}`);
      expect(attr(s, "http.response.status_code")).toBe(200);
    }
    // The page's spans (its request and everything under it) carry ids, never the person's details.
    const traceIds = new Set([...pageRoots].map((s) => s.traceId));
    const text = JSON.stringify(all.filter((s) => traceIds.has(s.traceId)));
    for (const personal of [user.email, user.mobile, user.firstName, user.lastName]) if (personal) expect(text).not.toContain(personal);
  });
});

test.describe("alerts", () => {
  test.use({ storageState: storageStateOf("admin") });
  let receiver: Server;
  const posts: string[] = [];

  test.beforeAll(async () => {
    receiver = createServer((req, res) => {
      let body = "";
      req.on("data", (c: Buffer) => (body += c.toString("utf8")));
      req.on("end", () => {
        posts.push((JSON.parse(body) as { text: string }).text);
        res.writeHead(200).end("ok");
      });
    });
    await new Promise<void>((r) => receiver.listen(0, "127.0.0.1", r));
  });
  test.afterAll(async () => {
    await new Promise((r) => receiver.close(r));
  });

  test("an admin defines a connector-status rule; a connector fault alerts once and resolves once", async ({ page }) => {
    const port = (receiver.address() as AddressInfo).port;
    await page.goto("/alerts");
    await expect(page.getByRole("heading", { name: "Alerts", level: 1 })).toBeVisible();

    const channel = page.getByRole("form", { name: "New channel" });
    await channel.getByLabel("Name").fill("E2E webhook");
    await channel.getByLabel(/Webhook URL/).fill(`http://127.0.0.1:${port}/services/e2e/secret-part`);
    await channel.getByRole("button", { name: "Add channel" }).click();
    const channelRow = page.getByTestId("alert-channel").filter({ hasText: "E2E webhook" });
    await expect(channelRow).toContainText(`127.0.0.1:${port}`);
    await expect(page.getByText("secret-part")).toHaveCount(0); // the URL is never shown back

    const rule = page.getByRole("form", { name: "New rule" });
    await rule.getByLabel("Name").fill("E2E connector down");
    await rule.getByLabel("When").selectOption("connector_status");
    await rule.getByLabel("partial outage").check();
    await rule.getByLabel("E2E webhook").check();
    await rule.getByRole("button", { name: "Add rule" }).click();
    const ruleRow = page.getByTestId("alert-rule").filter({ hasText: "E2E connector down" });
    await expect(ruleRow).toContainText("statuses: major-outage, partial-outage");

    // A connector goes into a partial outage at Basiq; the console notices on its next connector refresh.
    await page.goto("/connectors?status=operational&method=web&sort=name");
    // Not the first row: e2e/connectors.spec.ts (maybe running in the other worker) changes that one.
    const id = (await page.getByTestId("connector-row").nth(3).locator(".font-mono").first().textContent())!.trim();
    const mine = (kind: "ALERT" | "RESOLVED") => posts.filter((p) => p.includes(`[${kind}] E2E connector down`) && p.includes(`(${id}, web)`));
    await injectFault({ kind: "connector-status", connectorId: id, method: "web", status: "partial-outage" });
    await page.getByRole("button", { name: "Refresh now" }).click();
    await expect(page.getByText(/status changes/)).toBeVisible();
    await page.getByRole("button", { name: "Refresh now" }).click();
    await expect.poll(() => mine("ALERT").length).toBe(1);
    expect(mine("ALERT")[0]).toContain(`(${id}, web) is now partial-outage`);

    await injectFault({ kind: "connector-status", connectorId: id, method: "web", status: "operational" });
    await page.getByRole("button", { name: "Refresh now" }).click();
    await expect.poll(() => mine("RESOLVED").length).toBe(1);
    expect(mine("ALERT")).toHaveLength(1);

    await page.goto("/alerts/history");
    const incident = page.getByTestId("alert-incident").filter({ hasText: `(${id}, web)` });
    await expect(incident).toHaveCount(1);
    await expect(incident).toContainText("resolved");
    await expect(incident.getByText("sent")).toHaveCount(2);

    // Leave the suite's later connector changes alone.
    await page.goto("/alerts");
    await page.getByRole("button", { name: "Disable rule E2E connector down" }).click();
    await expect(ruleRow).toContainText("off");
  });
});
