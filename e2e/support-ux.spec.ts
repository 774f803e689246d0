import AxeBuilder from "@axe-core/playwright";
import { expect, test, type Page } from "@playwright/test";

import { navItems } from "../components/layout/nav-items";
import { can } from "../lib/auth/policy";

import { mainPages, mayOpen, roles, viewports } from "./pages";
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

/** Every axe violation of any impact on the page, one line each (rule, impact, first target). */
async function axeViolations(page: Page): Promise<string[]> {
  const result = await new AxeBuilder({ page }).analyze();
  return result.violations.map((v) => `${v.id} (${v.impact}): ${v.nodes.length}× e.g. ${v.nodes[0]?.target.join(" ")}`);
}

test.describe("keyboard and axe (item 11)", () => {
  for (const viewport of viewports) {
    for (const role of roles) {
      test(`axe: zero violations on every page ${role} may open at ${viewport.width}×${viewport.height}`, async ({ browser }) => {
        test.setTimeout(240_000); // up to 12 pages (an admin's, alerts included), each fully analysed
        const context = await browser.newContext({ storageState: storageStateOf(role), viewport });
        const page = await context.newPage();
        const found: Record<string, string[]> = {};
        for (const p of (await mainPages()).filter((x) => mayOpen(role, x))) {
          await page.goto(p.path);
          await expect(page.locator("#main-content")).toBeVisible();
          await page.waitForLoadState("load");
          const v = await axeViolations(page);
          if (v.length > 0) found[p.name] = v;
        }
        await context.close();
        expect(found).toEqual({});
      });
    }
    test(`axe: zero violations on the sign-in page at ${viewport.width}×${viewport.height}`, async ({ browser }) => {
      const context = await browser.newContext({ viewport });
      const page = await context.newPage();
      await page.goto("/login");
      await expect(page.getByRole("button", { name: /sign in/i })).toBeVisible();
      expect(await axeViolations(page)).toEqual([]);
      await context.close();
    });
  }

  test.describe("as support", () => {
    test.use({ storageState: storageStateOf("support") });

    test("the first Tab reaches 'Skip to content', which moves focus past the navigation", async ({ page }) => {
      await page.goto("/users");
      await page.keyboard.press("Tab");
      const skip = page.getByRole("link", { name: "Skip to content" });
      await expect(skip).toBeFocused();
      await expect(skip).toBeInViewport();
      await page.keyboard.press("Enter");
      await expect(page.locator("#main-content")).toBeFocused();
      // The next Tab lands inside the page, not on the navigation.
      await page.keyboard.press("Tab");
      expect(await page.evaluate(() => !!document.activeElement?.closest("#main-content"))).toBe(true);
    });

    test("nav links show a focus ring; scrollable tables are focusable, labelled regions", async ({ page }) => {
      await page.goto("/users");
      const link = page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Users" });
      await link.focus();
      await page.keyboard.press("Shift+Tab");
      await page.keyboard.press("Tab");
      await expect(link).toBeFocused();
      const outline = await link.evaluate((el) => getComputedStyle(el).outlineStyle);
      expect(outline).not.toBe("none");
      const table = page.getByRole("region", { name: "Users" });
      await expect(table).toHaveAttribute("tabindex", "0");
    });
  });
});

test.describe("phone (item 13)", () => {
  for (const role of roles) {
    test(`at 390 px the menu shows every section ${role} may open`, async ({ browser }) => {
      const context = await browser.newContext({ storageState: storageStateOf(role), viewport: { width: 390, height: 844 } });
      const page = await context.newPage();
      await page.goto("/");
      const menu = page.getByRole("button", { name: "Menu" });
      await expect(menu).toBeVisible();
      await menu.click();
      const nav = page.getByRole("navigation", { name: "Main" });
      const expected = navItems.filter((i) => can(role, i.permission)).map((i) => i.label);
      for (const label of expected) await expect(nav.getByRole("link", { name: label, exact: true })).toBeInViewport();
      await expect(nav.getByRole("link")).toHaveCount(expected.length);
      await nav.getByRole("link", { name: expected[expected.length - 1]!, exact: true }).click();
      await expect(page.getByRole("heading", { level: 1 })).toBeVisible();
      await context.close();
    });
  }
});

test.describe("dark mode (item 16)", () => {
  test.use({ storageState: storageStateOf("support") });

  const background = (page: Page) => page.evaluate(() => getComputedStyle(document.body).backgroundColor);
  /** Relative luminance-ish: mean of the sRGB channels of an rgb()/oklch() colour, as the browser computes it. */
  const isDark = async (page: Page) =>
    page.evaluate(() => {
      const canvas = document.createElement("canvas").getContext("2d")!;
      canvas.fillStyle = getComputedStyle(document.body).backgroundColor;
      canvas.fillRect(0, 0, 1, 1);
      const [r, g, b] = canvas.getImageData(0, 0, 1, 1).data;
      return (r! + g! + b!) / 3 < 80;
    });

  test("follows the system setting by default", async ({ browser }) => {
    const context = await browser.newContext({ storageState: storageStateOf("support"), colorScheme: "dark" });
    const page = await context.newPage();
    await page.goto("/users");
    expect(await isDark(page)).toBe(true);
    await context.close();
  });

  test("the toggle overrides it, and the server renders the choice on the first paint (no flash)", async ({ page }) => {
    await page.emulateMedia({ colorScheme: "light" });
    await page.goto("/users");
    expect(await isDark(page)).toBe(false);
    const light = await background(page);
    await page.getByLabel("Theme").selectOption("dark");
    expect(await isDark(page)).toBe(true);
    // The HTML as sent already carries the class: nothing waits for a script.
    const html = await (await page.request.get("/users")).text();
    expect(html).toMatch(/<html[^>]*class="dark"/);
    await page.reload();
    expect(await isDark(page)).toBe(true);
    await page.getByLabel("Theme").selectOption("system");
    expect(await background(page)).toBe(light);
  });
});
