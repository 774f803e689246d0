// Issue 13: pages render what Basiq actually sends. The sandbox's odd-states persona ("gwart") has one
// connection in each of active, pending, invalid, init, revoked and deleted, and a job with a step title the
// console does not know; every page renders them, unknown values shown raw.
import { expect, test } from "@playwright/test";

import { storageStateOf } from "./paths";
import { sandboxPersonas, sandboxUrl } from "./sandbox-client";

const STATES = ["active", "pending", "invalid", "init", "revoked", "deleted"];

async function sandboxGet<T>(path: string): Promise<T> {
  const tokenReply = await fetch(`${sandboxUrl}/token`, {
    method: "POST",
    headers: { Authorization: "Basic sandbox-key", "basiq-version": "3.0", "Content-Type": "application/x-www-form-urlencoded" },
    body: "scope=SERVER_ACCESS",
  });
  const { access_token } = (await tokenReply.json()) as { access_token: string };
  return (await (await fetch(`${sandboxUrl}${path}`, { headers: { Authorization: `Bearer ${access_token}` } })).json()) as T;
}

test.describe("odd states", () => {
  test.use({ storageState: storageStateOf("support") });

  test("user page, every connection page and the job page render them, unknown values raw", async ({ page }) => {
    const persona = (await sandboxPersonas()).find((p) => (p as { loginId?: string }).loginId === "gwart");
    expect(persona).toBeDefined();
    const userId = persona!.userId;

    const res = await page.goto(`/users/${userId}`);
    expect(res?.status()).toBe(200);
    // No assertion on the absence of a Basiq banner: other specs inject faults into the shared sandbox at the
    // same time (lib/dal/odd-states.test.ts proves the live render); the states show either way.
    for (const state of STATES) await expect(page.getByText(state, { exact: true }).first()).toBeVisible();

    const connections = await sandboxGet<{ data: { id: string; status: string }[] }>(`/users/${userId}/connections`);
    expect(connections.data.map((c) => c.status)).toEqual(STATES);
    for (const c of connections.data) {
      const r = await page.goto(`/users/${userId}/connections/${c.id}`);
      expect(r?.status(), c.status).toBe(200);
      await expect(page.getByRole("heading", { level: 1 })).toBeVisible();
    }

    const jobs = await sandboxGet<{ data: { id: string; steps: { title: string }[] }[] }>(`/users/${userId}/jobs`);
    const odd = jobs.data.find((j) => j.steps.some((s) => s.title === "retrieve-meta"));
    expect(odd).toBeDefined();
    const r = await page.goto(`/jobs/${odd!.id}`);
    expect(r?.status()).toBe(200);
    await expect(page.getByTestId("job-steps")).toContainText("retrieve-meta (not known to this console)");
  });
});
