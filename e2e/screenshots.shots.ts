import { mkdirSync } from "node:fs";
import path from "node:path";

import { expect, test } from "@playwright/test";

import { mainPages, mayOpen, viewports } from "./pages";
import { storageStateOf } from "./paths";

// `npm run screenshots`: every main page at 1440×900 and 390×844 into e2e/screenshots/, as the admin sees it (the
// role that may open every page) and the sign-in page signed out. Not part of `npm test` (own project, opt-in).
const dir = path.join(process.cwd(), "e2e", "screenshots");

for (const viewport of viewports) {
  test(`screenshots at ${viewport.width}×${viewport.height}`, async ({ browser }) => {
    test.slow();
    mkdirSync(dir, { recursive: true });
    const admin = await browser.newContext({ storageState: storageStateOf("admin"), viewport, colorScheme: "light" });
    const anonymous = await browser.newContext({ viewport, colorScheme: "light" });
    for (const p of await mainPages()) {
      const page = await (p.permission === null ? anonymous : admin).newPage();
      if (p.permission !== null) expect(mayOpen("admin", p)).toBe(true);
      await page.goto(p.path);
      await page.waitForLoadState("load");
      await expect(page.locator("#main-content")).toBeVisible();
      await page.waitForTimeout(500); // let Suspense sections settle
      await page.screenshot({ path: path.join(dir, `${p.name}-${viewport.name}.png`), fullPage: true });
      await page.close();
    }
    await admin.close();
    await anonymous.close();
  });
}
