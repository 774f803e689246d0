import { expect, test, type Browser, type Page } from "@playwright/test";

import { storageStateOf } from "./paths";
import { enrolFromPage, enterTotp, fillPassword } from "./second-factor";
import { totpNow } from "./totp";

// The second factor (SECURITY.md AUTH-3) through the browser, with accounts created here (the demo accounts are
// shared by every spec): an admin without one gets nothing, codes and recovery codes work once, and someone who
// opts in is asked for a code from then on.

const unique = () => `${Date.now().toString(36)}${Math.random().toString(36).slice(2, 6)}`;
const password = "an e2e password of some length";

async function createStaffMember(page: Page, input: { name: string; email: string; role: string }): Promise<void> {
  await page.goto("/staff");
  const form = page.getByRole("form", { name: "New staff member" });
  await form.getByLabel("Name", { exact: true }).fill(input.name);
  await form.getByLabel("E-mail", { exact: true }).fill(input.email);
  await form.getByLabel("Role", { exact: true }).selectOption(input.role);
  await form.getByLabel("Set one myself").check();
  await form.getByLabel(/^Password/).fill(password);
  await form.getByRole("button", { name: "Create staff member" }).click();
  await expect(page.getByTestId("staff-row").filter({ hasText: input.email })).toBeVisible();
}

async function freshPage(browser: Browser) {
  const context = await browser.newContext({ storageState: { cookies: [], origins: [] } });
  return { context, page: await context.newPage() };
}

async function signOut(page: Page) {
  await page.getByRole("button", { name: "Sign out" }).first().click();
  await expect(page).toHaveURL(/\/login$/);
}

test.describe("second factor", () => {
  test.use({ storageState: storageStateOf("admin") });
  test.describe.configure({ timeout: 240_000 }); // many sign-ins (scrypt, several pages) per test

  test("an admin who has not set one up cannot open admin pages, call admin routes or run admin actions", async ({ page, browser }) => {
    const email = `e2e-mfa-admin-${unique()}@corp.example`;
    const target = `e2e-mfa-target-${unique()}@corp.example`;
    await createStaffMember(page, { name: "E2E Unenrolled Admin", email, role: "admin" });
    await createStaffMember(page, { name: "E2E Target", email: target, role: "staff" });

    // Capture a real admin action request (its id and body) from the complete admin session.
    const row = page.getByTestId("staff-row").filter({ hasText: target });
    const captured = page.waitForRequest((r) => r.method() === "POST" && !!r.headers()["next-action"]);
    await row.getByLabel(`Role of ${target}`, { exact: true }).selectOption("support");
    await row.getByRole("button", { name: `Save role of ${target}` }).click();
    const request = await captured;
    await expect(page.getByRole("status").filter({ hasText: `${target} is now support` })).toBeVisible();

    const other = await freshPage(browser);
    await fillPassword(other.page, email, password);
    await expect(other.page).toHaveURL(/\/login\/second-factor/);
    await expect(other.page.getByRole("heading", { name: "Set up two-step verification" })).toBeVisible();
    for (const url of ["/audit", "/staff", "/"]) {
      await other.page.goto(url);
      await expect(other.page).toHaveURL(/\/login\/second-factor/);
    }
    const exported = await other.context.request.get("/audit/export", { maxRedirects: 0 });
    expect(exported.status()).toBe(401);

    // The same action, replayed by the unenrolled admin (as an attacker would, with a valid action id).
    const body = request.postData()!.replace('"support"', '"admin"');
    const replay = await other.context.request.post(request.url(), {
      headers: { "next-action": request.headers()["next-action"]!, "content-type": request.headers()["content-type"] ?? "text/plain;charset=UTF-8", origin: new URL(page.url()).origin, accept: "text/x-component" },
      data: body,
    });
    expect(await replay.text()).toContain("Complete the second factor first.");
    await page.reload();
    await expect(page.getByTestId("staff-row").filter({ hasText: target }).getByLabel(`Role of ${target}`, { exact: true })).toHaveValue("support");
    await other.context.close();
  });

  test("a wrong code is refused, a code works once, a recovery code works once", async ({ page, browser }) => {
    const email = `e2e-mfa-codes-${unique()}@corp.example`;
    await createStaffMember(page, { name: "E2E Codes Admin", email, role: "admin" });
    const { context, page: p } = await freshPage(browser);
    await fillPassword(p, email, password);
    await expect(p.getByRole("heading", { name: "Set up two-step verification" })).toBeVisible();

    await p.getByLabel("Enter the 6-digit code the app shows").fill("000000");
    await p.getByRole("button", { name: "Confirm and turn on" }).click();
    await expect(p.getByText("That code is not valid")).toBeVisible();
    const { key, recoveryCodes } = await enrolFromPage(p);
    await p.getByRole("link", { name: "I have saved my recovery codes, continue" }).click();
    await expect(p.getByTestId("current-staff-role").first()).toHaveText("admin");
    await signOut(p);

    // Next sign-in: a code is asked for; the one used to enrol (still within the ±30 s window) is refused.
    await fillPassword(p, email, password);
    await expect(p.getByRole("heading", { name: "Two-step verification" })).toBeVisible();
    await p.goto("/staff");
    await expect(p).toHaveURL(/\/login\/second-factor/);
    const next = totpNow(key, 1);
    await p.getByLabel("Code", { exact: true }).fill(next);
    await p.getByRole("button", { name: "Verify" }).click();
    await expect(p.getByTestId("current-staff-role").first()).toHaveText("admin");
    await signOut(p);
    await fillPassword(p, email, password);
    await p.getByLabel("Code", { exact: true }).fill(next);
    await p.getByRole("button", { name: "Verify" }).click();
    await expect(p.getByText("That code has already been used")).toBeVisible();

    // A recovery code instead: works once.
    await p.getByLabel("Code", { exact: true }).fill(recoveryCodes[0]!);
    await p.getByRole("button", { name: "Verify" }).click();
    await expect(p.getByTestId("current-staff-role").first()).toHaveText("admin");
    await signOut(p);
    await fillPassword(p, email, password);
    await p.getByLabel("Code", { exact: true }).fill(recoveryCodes[0]!);
    await p.getByRole("button", { name: "Verify" }).click();
    await expect(p.getByText("That code is not valid")).toBeVisible();
    await p.getByLabel("Code", { exact: true }).fill(recoveryCodes[1]!.toLowerCase());
    await p.getByRole("button", { name: "Verify" }).click();
    await expect(p.getByTestId("current-staff-role").first()).toHaveText("admin");

    // The admin's audit trail has it all.
    await page.goto(`/audit?action=auth.recovery_code_used`);
    await expect(page.getByTestId("audit-row").filter({ hasText: email })).toHaveCount(2);
    await context.close();
  });

  test("a staff member who opts in is asked for a code at the next sign-in; an admin's reset turns it off", async ({ page, browser }) => {
    const email = `e2e-mfa-staff-${unique()}@corp.example`;
    await createStaffMember(page, { name: "E2E Opt-in Staff", email, role: "staff" });
    const { context, page: p } = await freshPage(browser);
    await fillPassword(p, email, password);
    await expect(p.getByTestId("current-staff-role").first()).toHaveText("staff"); // no second factor asked

    await p.getByTestId("current-staff-name").first().click();
    await expect(p).toHaveURL(/\/account$/);
    await expect(p.getByTestId("second-factor-status")).toContainText("Off");
    await p.getByRole("link", { name: "Set up two-step verification" }).click();
    const { key } = await enrolFromPage(p);
    await p.getByRole("link", { name: "I have saved my recovery codes, continue" }).click();
    await expect(p.getByTestId("second-factor-status")).toContainText("On");
    await expect(p.getByTestId("second-factor-status")).toContainText("10 of 10");
    await signOut(p);

    await fillPassword(p, email, password);
    await expect(p).toHaveURL(/\/login\/second-factor/);
    await enterTotp(p, key);
    await expect(p.getByTestId("current-staff-role").first()).toHaveText("staff");

    // Lost phone: an admin resets it; the open session ends and the next sign-in asks for nothing.
    await page.goto("/staff");
    const row = page.getByTestId("staff-row").filter({ hasText: email });
    await row.getByRole("button", { name: `Reset second factor of ${email}` }).click();
    await page.getByRole("dialog").getByRole("button", { name: "Reset second factor" }).click();
    await expect(page.getByRole("status").filter({ hasText: `Second factor of ${email} removed` })).toBeVisible();
    await p.goto("/account");
    await expect(p).toHaveURL(/\/login/);
    await fillPassword(p, email, password);
    await expect(p.getByTestId("current-staff-role").first()).toHaveText("staff");
    await context.close();
  });
});
