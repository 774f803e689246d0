import { expect, test } from "@playwright/test";

import { storageStateOf } from "./paths";
import { activeSandboxConnection, sandboxPersonas } from "./sandbox-client";

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

test.describe("names not ids (item 7)", () => {
  test.use({ storageState: storageStateOf("support") });

  test("bank and person names on the user, job and error log pages; ids secondary with a copy button", async ({ page }) => {
    const persona = (await sandboxPersonas()).find((p) => p.failedJobId && p.connectionId)!;
    await page.goto(`/users/${persona.userId}`);
    await expect(page).toHaveTitle(`${persona.name} · User · Basiq console`);
    await expect(page.getByTestId("breadcrumb-current")).toContainText(persona.name);
    await expect(page.getByRole("button", { name: `Copy user id ${persona.userId}` })).toBeVisible();
    // The connection's link text is the bank's name, not an institution id like AU00201.
    const connectionLink = page.locator("table a").first();
    await expect(connectionLink).not.toHaveText(/^AU\d+$/);
    await expect(connectionLink).toHaveText(/[a-z]/);

    await page.goto(`/users/${persona.userId}/connections/${persona.connectionId}`);
    await expect(page).toHaveTitle(`${persona.name} · Connection · Basiq console`);
    await expect(page.getByTestId("breadcrumb-user")).toHaveText(persona.name);
    await expect(page.getByRole("heading", { level: 1 })).not.toContainText(/AU\d{3,}/);

    await page.goto(`/jobs/${persona.failedJobId}`);
    await expect(page.getByTestId("job-user")).toHaveText(persona.name);
    await expect(page.getByTestId("job-connector")).not.toHaveText(/^AU\d+/);
    await expect(page.getByRole("button", { name: `Copy job id ${persona.failedJobId}` })).toBeVisible();

    await page.goto("/jobs");
    const banks = await page.getByTestId("job-bank").allTextContents();
    expect(banks.length).toBeGreaterThan(0);
    expect(banks.filter((b) => /^AU\d+$/.test(b.trim())), "error log rows showing a bare institution id").toEqual([]);

    await page.goto("/users");
    const options = await page.locator("#institution-filter option").allTextContents();
    expect(options.some((o) => /^[A-Za-z].* \(AU\d+\)$/.test(o)), `institution filter options: ${options.slice(0, 5).join(" | ")}`).toBe(true);
  });
});

test.describe("purge dialog (item 15)", () => {
  test.use({ storageState: storageStateOf("admin") });

  test("names the person and bank, clears on close, copy button beside the field, password field when the sign-in is old", async ({ page }) => {
    const target = await activeSandboxConnection(190);
    await page.goto(`/users/${target.userId}/connections/${target.connectionId}`);
    const personName = (await page.getByTestId("breadcrumb-user").textContent())!.trim();
    const bankName = (await page.getByRole("heading", { level: 1 }).textContent())!.trim();
    await page.getByRole("button", { name: "Purge data…" }).click();
    const dialog = page.getByRole("dialog");
    await expect(dialog.getByTestId("purge-subject")).toContainText(personName);
    await expect(dialog.getByRole("heading")).toContainText(personName);
    expect(bankName.length).toBeGreaterThan(0);
    await expect(dialog.getByRole("button", { name: `Copy connection id ${target.connectionId}` })).toBeVisible();
    await dialog.getByLabel("Connection id to confirm").fill("half-typed");
    await dialog.getByRole("button", { name: "Cancel" }).click();
    await expect(dialog).toBeHidden();
    await page.getByRole("button", { name: "Purge data…" }).click();
    await expect(dialog.getByLabel("Connection id to confirm")).toHaveValue("");

    // The same page 20 minutes later (sign-in now older than 15 minutes): the password field is inside the dialog.
    await page.keyboard.press("Escape");
    await page.clock.setFixedTime(Date.now() + 20 * 60_000);
    await page.getByRole("button", { name: "Purge data…" }).click();
    await expect(dialog.getByLabel(/Your password/)).toBeVisible();
  });
});

test("admins see no Disable on their own staff row", async ({ browser }) => {
  const context = await browser.newContext({ storageState: storageStateOf("admin") });
  const page = await context.newPage();
  await page.goto("/staff");
  const me = page.getByTestId("staff-row").filter({ hasText: "admin@example.com" });
  await expect(me).toBeVisible();
  await expect(me.getByRole("button", { name: /^Disable/ })).toHaveCount(0);
  await context.close();
});
