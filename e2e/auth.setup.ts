import { expect, test as setup } from "@playwright/test";

import { storageStateOf } from "./paths";

const demoPassword = process.env.DEMO_PASSWORD ?? "demo-password";

for (const role of ["admin", "support", "staff"] as const) {
  setup(`sign in as ${role}`, async ({ page }) => {
    await page.goto("/login");
    await page.getByLabel("E-mail").fill(`${role}@example.com`);
    await page.getByLabel("Password").fill(demoPassword);
    await page.getByRole("button", { name: "Sign in" }).click();
    await expect(page.getByTestId("current-staff-role").first()).toHaveText(role);
    await page.context().storageState({ path: storageStateOf(role) });
  });
}
