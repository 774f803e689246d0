import { mkdirSync } from "node:fs";
import path from "node:path";

import { expect, test, type Browser } from "@playwright/test";

import { mainPages, mayOpen, viewports, type MainPage } from "./pages";
import { storageStateOf } from "./paths";
import { sandboxPersonas } from "./sandbox-client";

// `npm run screenshots`: every page at 1440×900 and 390×844 into e2e/screenshots/, as the admin sees it (the role
// that may open every page) and the sign-in page signed out: the main pages (e2e/pages.ts, also axe-checked) and
// the detail and admin pages reached from them. Not part of `npm test` (own project, opt-in).
const dir = path.join(process.cwd(), "e2e", "screenshots");

/**
 * A fresh console has stored nothing yet: opening the sandbox personas' user pages stores their failed jobs and
 * consents (as a support person's day would), so the error log, consents and audit log show rows, not empty states.
 */
async function seed(browser: Browser): Promise<void> {
  const context = await browser.newContext({ storageState: storageStateOf("admin") });
  const page = await context.newPage();
  for (const persona of (await sandboxPersonas()).slice(0, 20)) {
    await page.goto(`/users/${persona.userId}`);
    await expect(page.locator("#main-content")).toBeVisible();
  }
  await context.close();
}

/** Detail and admin pages the main pages link to (a failed job, a connector method, import, webhooks, operations). */
async function morePages(browser: Browser): Promise<MainPage[]> {
  const failed = (await sandboxPersonas()).find((p) => p.demonstrates === "maintenance" && p.failedJobId)!;
  const context = await browser.newContext({ storageState: storageStateOf("admin") });
  const page = await context.newPage();
  await page.goto("/connectors?sort=name");
  const connector = await page.getByTestId("connector-row").first().getByRole("link").first().getAttribute("href");
  await context.close();
  return [
    { name: "job", path: `/jobs/${failed.failedJobId}`, permission: "jobs.read" },
    { name: "connector", path: connector!, permission: "connectors.read" },
    { name: "import", path: "/users/import", permission: "users.import" },
    { name: "webhooks", path: "/webhooks", permission: "webhooks.manage" },
    { name: "operations", path: "/operations", permission: "operations.manage" },
  ];
}

test.beforeAll(async ({ browser }) => {
  test.setTimeout(180_000);
  await seed(browser);
});

for (const viewport of viewports) {
  test(`screenshots at ${viewport.width}×${viewport.height}`, async ({ browser }) => {
    test.slow();
    mkdirSync(dir, { recursive: true });
    const admin = await browser.newContext({ storageState: storageStateOf("admin"), viewport, colorScheme: "light" });
    const anonymous = await browser.newContext({ viewport, colorScheme: "light" });
    const pages = [...(await mainPages()), ...(await morePages(browser))];
    for (const p of pages) {
      const page = await (p.permission === null ? anonymous : admin).newPage();
      if (p.permission !== null) expect(mayOpen("admin", p)).toBe(true);
      await page.goto(p.path);
      await page.waitForLoadState("load");
      await expect(page.locator("#main-content")).toBeVisible();
      await page.waitForTimeout(500); // let Suspense sections settle
      await page.screenshot({ path: path.join(dir, `${p.name.replace(/\s+/g, "-")}-${viewport.name}.png`), fullPage: true });
      await page.close();
    }
    await admin.close();
    await anonymous.close();
  });
}
