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

test("a connection invalidated at Basiq reaches the error log and the user page through its webhook, no page of that user opened", async ({ page }) => {
  const { userId, connectionId } = await activeConnection();
  // The error log for this user, opened (and compiled) before anything happens: it must not have the job yet.
  await page.goto(`/jobs?userId=${userId}`);
  const res = await fetch(`${sandboxUrl}/__sandbox/connections/invalidate`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ userId, connectionId }),
  });
  expect(res.status).toBe(200);
  const { jobId } = (await res.json()) as { jobId: string };

  // The error log (stored jobs only: it never asks Basiq) has the failure once the webhook was processed. The 5 s
  // bound is asserted where it is measured without page renders (lib/webhooks/webhooks.test.ts; here the job is
  // stored about 2.5 s after the call): on a loaded CI machine each reload of this page can take seconds itself.
  await expect(async () => {
    await page.reload();
    await expect(page.locator(`a[href="/jobs/${jobId}"]`).first()).toBeVisible({ timeout: 500 });
  }).toPass({ timeout: 15_000, intervals: [250, 500] });

  await page.goto(`/users/${userId}`);
  await expect(page.getByText(/invalid/i).first()).toBeVisible();

  await page.goto("/webhooks");
  await expect(page.getByTestId("webhook-subscription")).toContainText("active");
  await expect(page.getByTestId("webhook-subscription")).toContainText("/api/basiq/webhooks");
  const row = page.getByTestId("webhook-deliveries").locator("tr", { hasText: "connection.invalidated" }).first();
  await expect(row).toContainText("processed");
  await expect(page.getByTestId("webhook-messages")).toContainText("connection.invalidated");
});
