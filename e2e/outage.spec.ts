// Issue 18 item 5: during a full Basiq outage (sandbox fault on every route) every page carries one banner at the
// top, actions that need Basiq are disabled with the reason, the Status card does not say "Working", and an
// unknown user id is a 404. A full outage is global to the console process: this spec runs in a project of its own
// (playwright.config.ts "outage"), after every other one, so no parallel test meets the fault or the banner.
import { expect, test } from "@playwright/test";

import { storageStateOf } from "./paths";
import { activeSandboxConnection, clearFaults, injectFault } from "./sandbox-client";

test.describe.configure({ mode: "serial" });
test.use({ storageState: storageStateOf("support") });
test.afterAll(clearFaults);

test("a full outage: one banner at the top of every page, Basiq actions off with the reason, unknown ids 404", async ({ page }) => {
  // Two waits on clocks the console keeps (outage declared after 10 s of silence, the banner's probe at most once per
  // 30 s) plus the page loads: more than the default 45 s test timeout on a busy CI machine.
  test.setTimeout(150_000);
  const target = await activeSandboxConnection(230);
  const connectionPage = `/users/${target.userId}/connections/${target.connectionId}`;
  // Healthy first: the directory keeps this user's connections, and no banner.
  await page.goto(`/users/${target.userId}`);
  await page.goto(connectionPage);
  await expect(page.getByRole("button", { name: "Refresh now" })).toBeEnabled();
  await expect(page.getByTestId("basiq-outage-banner")).toHaveCount(0);

  await injectFault({ kind: "network", route: "*" });
  try {
    // An outage is declared once no route has answered for 10 s: reload until then.
    const banner = page.getByTestId("basiq-outage-banner");
    await expect(async () => {
      await page.goto(connectionPage);
      await expect(banner).toHaveCount(1, { timeout: 500 });
    }).toPass({ timeout: 45_000, intervals: [2000] });
    const bannerBox = (await banner.boundingBox())!;
    const headingBox = (await page.getByRole("heading", { level: 1 }).boundingBox())!;
    expect(bannerBox.y).toBeLessThan(headingBox.y);
    await expect(page.getByRole("button", { name: "Refresh now" })).toBeDisabled();
    await expect(page.getByTestId("actions-unavailable")).toContainText(/need Basiq, which cannot be reached/);
    await expect(page.getByTestId("status-explained")).not.toContainText("Working");

    for (const path of ["/", "/users", "/connectors", "/jobs"]) {
      await page.goto(path);
      await expect(page.getByTestId("basiq-outage-banner"), path).toHaveCount(1);
    }
    await expect(page.getByRole("button", { name: "Refresh now" })).toHaveCount(0); // /jobs has none; connectors below
    await page.goto("/connectors");
    await expect(page.getByRole("button", { name: "Refresh now" })).toBeDisabled();

    const unknown = await page.goto("/users/no-such-user-0000");
    expect(unknown?.status()).toBe(404);
    await expect(page.getByText("(no name)")).toHaveCount(0);
  } finally {
    await clearFaults();
  }
  // Basiq answers again. The users list makes no Basiq call of its own: the banner's background probe (at most
  // one per 30 s) sees the answer, and a later render has no banner.
  await expect(async () => {
    await page.goto("/users");
    await expect(page.getByTestId("basiq-outage-banner")).toHaveCount(0, { timeout: 500 });
  }).toPass({ timeout: 50_000, intervals: [3000] });
  // And the page that reaches Basiq itself has its actions back.
  await page.goto(connectionPage);
  await expect(page.getByRole("button", { name: "Refresh now" })).toBeEnabled();
  await page.goto("/");
  await expect(page.getByTestId("basiq-outage-banner")).toHaveCount(0);
});
