import { expect, test as setup } from "@playwright/test";

import { storageStateOf } from "./paths";
import { demoPassword, enrolFromPage, enterTotp, fillPassword, saveTotpKey, totpKeyOf } from "./second-factor";

// One signed-in state per role. The demo admin must set up a second factor on first sign-in: done here through
// the page (key read from the page, code computed by e2e/totp.ts), so the admin state is a complete session.
for (const role of ["admin", "support", "staff"] as const) {
  setup(`sign in as ${role}`, async ({ page }) => {
    const email = `${role}@example.com`;
    await fillPassword(page, email, demoPassword);
    if (role === "admin") {
      await expect(page).toHaveURL(/\/login\/second-factor/);
      const enrol = page.getByRole("heading", { name: "Set up two-step verification" });
      await expect(enrol.or(page.getByRole("heading", { name: "Two-step verification" }))).toBeVisible();
      if (await enrol.isVisible()) {
        const { key } = await enrolFromPage(page);
        saveTotpKey(email, key);
        await page.getByRole("link", { name: "I have saved my recovery codes, continue" }).click();
      } else {
        await enterTotp(page, totpKeyOf(email)); // a second run against the same server: already enrolled
      }
    }
    await expect(page.getByTestId("current-staff-role").first()).toHaveText(role);
    await page.context().storageState({ path: storageStateOf(role) });
  });
}
