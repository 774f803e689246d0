import { expect, test } from "@playwright/test";

import { storageStateOf } from "./paths";
import { activeSandboxConnection, sandboxStats } from "./sandbox-client";

const PURGE = "POST /users/{userId}/connections/{connectionId}/purge";
const REFRESH = "POST /users/{userId}/connections/{connectionId}/refresh";

test.describe("purge as admin", () => {
  test.use({ storageState: storageStateOf("admin") });

  test("purges with the typed confirmation: one Basiq call, requested + succeeded in the audit log", async ({ page }) => {
    const target = await activeSandboxConnection(150);
    const before = (await sandboxStats())[PURGE] ?? 0;
    await page.goto(`/users/${target.userId}/connections/${target.connectionId}`);
    await page.getByRole("button", { name: "Purge data…" }).click();
    const confirm = page.getByRole("button", { name: "Purge permanently" });
    await expect(confirm).toBeDisabled();
    await page.getByLabel("Connection id to confirm").fill(target.connectionId.slice(0, -1));
    await expect(confirm).toBeDisabled();
    await page.getByLabel("Connection id to confirm").fill(target.connectionId);
    const password = page.getByLabel(/Your password/);
    if (await password.count()) await password.fill(process.env.DEMO_PASSWORD ?? "demo-password");
    await confirm.click();
    await expect(page.getByText(/^Purged: Basiq deleted the data/)).toBeVisible();
    expect((await sandboxStats())[PURGE] ?? 0).toBe(before + 1);
    await page.goto(`/audit`);
    for (const action of ["purge.requested", "purge.succeeded"]) {
      await expect(page.getByRole("row").filter({ hasText: action }).filter({ hasText: target.connectionId }).first()).toBeVisible();
    }
  });
});

test.describe("refresh as support", () => {
  test.use({ storageState: storageStateOf("support") });

  test("shows the budget, starts a refresh and follows its job live; no purge button", async ({ page }) => {
    const target = await activeSandboxConnection(170, "openbanking");
    const before = (await sandboxStats())[REFRESH] ?? 0;
    await page.goto(`/users/${target.userId}/connections/${target.connectionId}`);
    await expect(page.getByTestId("refresh-budget")).toContainText(/of 20 refreshes used in the last 24 h/);
    await expect(page.getByRole("button", { name: "Purge data…" })).toHaveCount(0);
    await page.getByRole("button", { name: "Refresh now" }).click();
    const live = page.getByTestId("live-job");
    await expect(live).toBeVisible();
    await expect(live).toContainText("verify-credentials");
    await expect(live).toContainText(/success|failed/, { timeout: 30_000 });
    expect((await sandboxStats())[REFRESH] ?? 0).toBe(before + 1);
    await expect(page.getByTestId("refresh-budget")).toContainText(/^1 of 20/);
  });
});
