// Issue 17 §1, what a person sees: the sandbox invalidates a connection and sends its signed webhook; with no
// page open, the failure reaches the error log and the user page within seconds, and the admin's webhooks page
// shows the subscription (made at start-up) and the processed delivery.
import { expect, test } from "@playwright/test";

import { storageStateOf } from "./paths";
import { sandboxUrl } from "./sandbox-client";

test.use({ storageState: storageStateOf("admin") });

async function token(): Promise<string> {
  const res = await fetch(`${sandboxUrl}/token`, {
    method: "POST",
    headers: { Authorization: "Basic sandbox-key", "basiq-version": "3.0", "Content-Type": "application/x-www-form-urlencoded" },
    body: "scope=SERVER_ACCESS",
  });
  return ((await res.json()) as { access_token: string }).access_token;
}

/** A sandbox user with an active connection (counting from the end, away from the personas other specs use). */
async function activeConnection(): Promise<{ userId: string; connectionId: string }> {
  const { ids } = (await (await fetch(`${sandboxUrl}/__sandbox/users?offset=200&limit=80`)).json()) as { ids: string[] };
  const bearer = await token();
  for (const userId of ids.reverse()) {
    const body = (await (await fetch(`${sandboxUrl}/users/${userId}/connections`, { headers: { Authorization: `Bearer ${bearer}` } })).json()) as {
      data?: { id: string; status?: string }[];
    };
    const active = body.data?.find((c) => c.status === "active");
    if (active) return { userId, connectionId: active.id };
  }
  throw new Error("no active connection among the sandbox users");
}

test("a connection invalidated at Basiq is in the error log and on the user page within 5 s, via a webhook", async ({ page }) => {
  const { userId, connectionId } = await activeConnection();
  const res = await fetch(`${sandboxUrl}/__sandbox/connections/invalidate`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ userId, connectionId }),
  });
  expect(res.status).toBe(200);
  const { jobId } = (await res.json()) as { jobId: string };
  const started = Date.now();

  // The error log (stored jobs only: it never asks Basiq) has the failure once the webhook was processed.
  await expect(async () => {
    await page.goto(`/jobs?userId=${userId}`);
    await expect(page.locator(`a[href="/jobs/${jobId}"]`).first()).toBeVisible({ timeout: 500 });
  }).toPass({ timeout: 5_000, intervals: [250, 500] });
  expect(Date.now() - started).toBeLessThan(5_000);

  await page.goto(`/users/${userId}`);
  await expect(page.getByText(/invalid/i).first()).toBeVisible();

  await page.goto("/webhooks");
  await expect(page.getByTestId("webhook-subscription")).toContainText("active");
  await expect(page.getByTestId("webhook-subscription")).toContainText("/api/basiq/webhooks");
  const row = page.getByTestId("webhook-deliveries").locator("tr", { hasText: "connection.invalidated" }).first();
  await expect(row).toContainText("processed");
  await expect(page.getByTestId("webhook-messages")).toContainText("connection.invalidated");
});
