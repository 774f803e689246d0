import { expect, test } from "@playwright/test";

import { storageStateOf } from "./paths";
import { activeSandboxConnection } from "./sandbox-client";

// Issue 18: the console as support teams expect it (formats, names, purge dialog, keyboard, phone, dark mode).

test.describe("formats (item 8)", () => {
  test.use({ storageState: storageStateOf("support") });

  test("dates are in the named zone with an absolute tooltip, money as $75,210.43", async ({ page }) => {
    const { userId, connectionId } = await activeSandboxConnection(40);
    await page.goto(`/users/${userId}`);
    await expect(page.getByTestId("console-time-zone")).toHaveText("Australia/Sydney");
    await expect(page.getByTestId("console-footer")).toContainText(/\((AEDT|AEST)\)/);
    // A relative time ("… ago") carries the absolute time with the zone in its tooltip and ISO in dateTime.
    const synced = page.getByTestId("last-synced").locator("time").last();
    await expect(synced).toHaveText(/ago$/);
    await expect(synced).toHaveAttribute("title", /^\d{1,2} \w{3} \d{4}, \d{1,2}:\d{2}\s[ap]m (AEDT|AEST)$/);
    await expect(synced).toHaveAttribute("datetime", /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/);

    await page.goto(`/users/${userId}/connections/${connectionId}`);
    const balances = page.getByTestId("account-balance");
    await expect(balances.first()).toBeVisible();
    for (const text of await balances.allTextContents()) expect(text).toMatch(/^(-?\$\d{1,3}(,\d{3})*\.\d{2}|[A-Z]{3}\s[\d,]+\.\d{2}|—)$/);
  });
});
