import { expect, test } from "@playwright/test";

import { storageStateOf } from "./paths";
import { clearFaults, injectFault } from "./sandbox-client";

test.describe.configure({ mode: "serial" });

test.describe("connectors as staff", () => {
  test.use({ storageState: storageStateOf("staff") });

  test("lists every connector, non-operational first, without the refresh button", async ({ page }) => {
    await page.goto("/connectors");
    const rows = page.getByTestId("connector-row");
    await expect(rows.first()).toBeVisible();
    expect(await rows.count()).toBeGreaterThan(10);
    await expect(rows.first()).toContainText(/outage|degraded|maintenance|spike/); // attention first
    await expect(page.getByRole("button", { name: "Refresh now" })).toHaveCount(0);
    await page.getByLabel("Status").selectOption("major-outage");
    await expect(page).toHaveURL(/status=major-outage/);
    // The URL changes as the navigation starts; the filtered rows replace the others when it ends.
    await expect(rows.filter({ hasNotText: "major outage" })).toHaveCount(0);
    await expect(rows.first()).toBeVisible();
  });

  test("a logo that cannot load shows the bank's initials on a first load, not only after client navigation", async ({ page }) => {
    // Basiq's logo CDN is unreachable from the test machine, so every logo fails, most of them before hydration.
    await page.goto("/connectors?sort=name");
    const first = page.getByTestId("connector-row").first();
    const name = (await first.getByRole("link").first().innerText()).trim();
    const initials = name.replace(/[^\p{L}\p{N}\s]/gu, " ").split(/\s+/).filter(Boolean);
    const expected = (initials.length === 1 ? initials[0]!.slice(0, 2) : initials[0]![0]! + initials[1]![0]!).toUpperCase();
    await expect(first.getByTestId("connector-logo-fallback")).toHaveText(expected);
    await expect(page.locator('[data-testid="connector-row"] img[src^="https://"]')).toHaveCount(0);
  });
});

test.describe("connectors as support", () => {
  test.use({ storageState: storageStateOf("support") });
  test.afterEach(clearFaults);

  test("a status change at Basiq shows in the list and the connector's timeline", async ({ page }) => {
    await page.goto("/connectors?status=operational&method=web&sort=name");
    const row = page.getByTestId("connector-row").first();
    const id = (await row.locator(".font-mono").first().textContent())!.trim();
    await injectFault({ kind: "connector-status", connectorId: id, method: "web", status: "partial-outage" });
    await page.getByRole("button", { name: "Refresh now" }).click();
    await expect(page.getByText(/status changes/)).toBeVisible();
    await page.goto(`/connectors/${id}/web`);
    const timeline = page.getByTestId("status-timeline");
    await expect(timeline.locator("li").first()).toContainText("operational");
    await expect(timeline.locator("li").first()).toContainText("partial outage");
    await injectFault({ kind: "connector-status", connectorId: id, method: "web", status: "operational" });
  });

  test("when GET /connectors fails the page shows the last known statuses and a banner", async ({ page }) => {
    await page.goto("/connectors");
    await expect(page.getByTestId("connector-row").first()).toBeVisible();
    await injectFault({ kind: "status", route: "GET /connectors", status: 503 });
    await page.goto("/connectors");
    await expect(page.getByText(/Basiq unavailable: showing the last known statuses/)).toBeVisible();
    expect(await page.getByTestId("connector-row").count()).toBeGreaterThan(10);
  });
});
