// Operators' view: the Prometheus scrape after a user page shows the Basiq calls it made (and the page's HTTP
// duration, from Next.js's request span), and an admin defines an alert on /alerts that a connector fault delivers
// exactly once to a webhook, with its resolution, both listed in the history.
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";

import { expect, test } from "@playwright/test";

import { storageStateOf } from "./paths";
import { injectFault, sandboxUser } from "./sandbox-client";

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
