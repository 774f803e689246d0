import { expect, test, type Browser, type Page } from "@playwright/test";

import { storageStateOf } from "./paths";
import { enrolFromPage } from "./second-factor";

// Staff management and the audit log, as an admin. Only accounts created here are changed: the demo accounts
// are shared by every spec (the last-admin test only proves the demo admin cannot be disabled or demoted).

const unique = () => `${Date.now().toString(36)}${Math.random().toString(36).slice(2, 6)}`;

async function createStaffMember(page: Page, input: { name: string; email: string; role: string; password?: string }): Promise<string> {
  await page.goto("/staff");
  const form = page.getByRole("form", { name: "New staff member" });
  await form.getByLabel("Name", { exact: true }).fill(input.name);
  await form.getByLabel("E-mail", { exact: true }).fill(input.email);
  await form.getByLabel("Role", { exact: true }).selectOption(input.role);
  if (input.password) {
    await form.getByLabel("Set one myself").check();
    await form.getByLabel(/^Password/).fill(input.password);
  }
  await form.getByRole("button", { name: "Create staff member" }).click();
  await expect(page.getByTestId("staff-row").filter({ hasText: input.email })).toBeVisible();
  if (input.password) return input.password;
  const shown = page.getByTestId("one-time-password");
  await expect(shown).toBeVisible();
  return (await shown.textContent())!.trim();
}

/**
 * A fresh browser context (no shared cookies) signed in with these credentials. A new admin must set up a second
 * factor first (`enrol`): done through the page, as a person would.
 */
async function signInFresh(browser: Browser, email: string, password: string, options: { enrol?: boolean; newPassword?: string } = {}) {
  const context = await browser.newContext({ storageState: { cookies: [], origins: [] } });
  const page = await context.newPage();
  await page.goto("/login");
  await page.getByLabel("E-mail").fill(email);
  await page.getByLabel("Password").fill(password);
  await page.getByRole("button", { name: "Sign in" }).click();
  if (options.enrol) {
    await expect(page.getByRole("heading", { name: "Set up two-step verification" })).toBeVisible();
    await enrolFromPage(page);
    await page.getByRole("link", { name: "I have saved my recovery codes, continue" }).click();
  }
  if (options.newPassword) {
    // A generated password is one-time: the first sign-in must choose a new one before anything else.
    await expect(page.getByRole("heading", { name: "Choose a new password" })).toBeVisible();
    await page.goto("/users"); // every other page sends it back
    await expect(page).toHaveURL(/\/login\/change-password$/);
    await page.getByLabel("Current password").fill(password);
    await page.getByLabel(/^New password \(/).fill(options.newPassword);
    await page.getByLabel("New password again").fill(options.newPassword);
    await page.getByRole("button", { name: "Change password" }).click();
    await expect(page).not.toHaveURL(/change-password/);
  }
  return { context, page };
}

test.describe("staff management as admin", () => {
  test.use({ storageState: storageStateOf("admin") });

  test("a new account signs in with its one-time password; demoting and disabling it take effect on its next click", async ({ page, browser }) => {
    const email = `e2e-${unique()}@corp.example`;
    const password = await createStaffMember(page, { name: "E2E Support", email, role: "support" });
    expect(password.length).toBeGreaterThanOrEqual(20);

    const other = await signInFresh(browser, email, password, { newPassword: "violet tractor quietly juggles" });
    await expect(other.page.getByTestId("current-staff-role").first()).toHaveText("support");

    // Demote to staff: the page already open still shows "Error log", which now answers 403.
    const row = page.getByTestId("staff-row").filter({ hasText: email });
    await row.getByLabel(`Role of ${email}`, { exact: true }).selectOption("staff");
    await row.getByRole("button", { name: `Save role of ${email}` }).click();
    await expect(page.getByRole("status").filter({ hasText: `${email} is now staff` })).toBeVisible();
    await other.page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Error log" }).click();
    await expect(other.page.getByText("Your role cannot open this page")).toBeVisible();

    // Disable: the next click of that session lands on sign-in, and the password no longer works.
    await row.getByRole("button", { name: `Disable ${email}` }).click();
    const dialog = page.getByRole("dialog");
    await expect(dialog).toContainText("any session they have open ends on their next click");
    await dialog.getByRole("button", { name: "Disable account" }).click();
    await expect(dialog).toHaveCount(0);
    await expect(row).toContainText("disabled");
    await other.page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Users" }).click();
    await expect(other.page).toHaveURL(/\/login/);
    await other.context.close();

    const again = await signInFresh(browser, email, password);
    await expect(again.page.getByText("do not match an active account")).toBeVisible();
    await again.context.close();
  });

  test("a password reset shows a new one-time password once; the old password stops working", async ({ page, browser }) => {
    const email = `e2e-${unique()}@corp.example`;
    const first = await createStaffMember(page, { name: "E2E Reset", email, role: "staff", password: "typed password 123" });
    await expect(page.getByTestId("one-time-password")).toHaveCount(0); // a typed password is never shown back

    const row = page.getByTestId("staff-row").filter({ hasText: email });
    await row.getByRole("button", { name: `Reset password of ${email}` }).click();
    const dialog = page.getByRole("dialog");
    await dialog.getByRole("button", { name: "Reset password" }).click();
    const shown = dialog.getByTestId("one-time-password");
    await expect(shown).toBeVisible();
    const second = (await shown.textContent())!.trim();
    expect(second).not.toBe(first);
    await dialog.getByRole("button", { name: "Done, hide the password" }).click();
    await expect(page.getByText(second)).toHaveCount(0);

    const old = await signInFresh(browser, email, first);
    await expect(old.page.getByText("do not match an active account")).toBeVisible();
    await old.context.close();
    const fresh = await signInFresh(browser, email, second, { newPassword: "violet tractor quietly juggles" });
    await expect(fresh.page.getByTestId("current-staff-role").first()).toHaveText("staff");
    await fresh.context.close();
  });

  test("the only admin can neither disable nor demote themselves", async ({ page }) => {
    await page.goto("/staff");
    await expect(page.getByTestId("staff-total")).toContainText("1 active admin");
    const me = page.getByTestId("staff-row").filter({ hasText: "admin@example.com" });
    // No "Disable" on your own row (issue 18 item 15); the server still refuses it (lib/dal/staff.test.ts).
    await expect(me.getByRole("button", { name: "Disable admin@example.com" })).toHaveCount(0);
    await me.getByLabel("Role of admin@example.com", { exact: true }).selectOption("support");
    await me.getByRole("button", { name: "Save role of admin@example.com" }).click();
    await expect(page.getByRole("alert").filter({ hasText: "before you give up your admin role" })).toBeVisible();
    await page.reload();
    await expect(me).toContainText("active");
    await expect(me.getByLabel("Role of admin@example.com", { exact: true })).toHaveValue("admin");
  });

  test("bad input shows field errors and creates nothing", async ({ page }) => {
    await page.goto("/staff");
    const before = await page.getByTestId("staff-row").count();
    const form = page.getByRole("form", { name: "New staff member" });
    await form.getByLabel("E-mail", { exact: true }).fill("not-an-email");
    await form.getByLabel("Set one myself").check();
    await form.getByLabel(/^Password/).fill("short");
    await form.getByRole("button", { name: "Create staff member" }).click();
    await expect(form.getByRole("alert")).toHaveText("Some fields are not valid.");
    await expect(form.locator("#new-staff-email-error")).not.toBeEmpty();
    await expect(form.locator("#new-staff-password-error")).toContainText("at least 12 characters");
    await expect(form.locator("#new-staff-name-error")).not.toBeEmpty();
    await expect(form.getByLabel("E-mail", { exact: true })).toHaveAttribute("aria-invalid", "true");
    await page.reload();
    // Other specs may create accounts meanwhile: at least, none with this input.
    await expect(page.getByTestId("staff-row").filter({ hasText: "not-an-email" })).toHaveCount(0);
    expect(await page.getByTestId("staff-row").count()).toBeGreaterThanOrEqual(before);
  });
});

test.describe("giving up your own admin role", () => {
  test.use({ storageState: storageStateOf("admin") });

  test("a second admin who demotes themselves is moved to a page they may still open", async ({ page, browser }) => {
    test.slow(); // the new admin sets up a second factor first
    const email = `e2e-${unique()}@corp.example`;
    const password = await createStaffMember(page, { name: "E2E Second Admin", email, role: "admin" });
    const other = await signInFresh(browser, email, password, { enrol: true, newPassword: "violet tractor quietly juggles" });
    await expect(other.page.getByTestId("current-staff-role").first()).toHaveText("admin");
    await other.page.goto("/staff");
    const row = other.page.getByTestId("staff-row").filter({ hasText: email });
    await row.getByLabel(`Role of ${email}`, { exact: true }).selectOption("support");
    await row.getByRole("button", { name: `Save role of ${email}` }).click();
    await expect(other.page.getByRole("status").filter({ hasText: `${email} is now support` })).toBeVisible();
    await expect(other.page).toHaveURL(new URL("/", page.url()).toString());
    await expect(other.page.getByTestId("current-staff-role").first()).toHaveText("support");
    await expect(other.page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Staff" })).toHaveCount(0);
    await other.context.close();
  });

  test("a second admin sees no Disable on their own row, only on the other admin's", async ({ page, browser }) => {
    test.slow(); // the new admin sets up a second factor first
    const email = `e2e-${unique()}@corp.example`;
    const password = await createStaffMember(page, { name: "E2E Leaving Admin", email, role: "admin" });
    const other = await signInFresh(browser, email, password, { enrol: true, newPassword: "violet tractor quietly juggles" });
    await expect(other.page.getByTestId("current-staff-role").first()).toHaveText("admin");
    await other.page.goto("/staff");
    await expect(other.page.getByRole("button", { name: "Disable admin@example.com" })).toBeVisible();
    await expect(other.page.getByRole("button", { name: `Disable ${email}` })).toHaveCount(0);
    await other.context.close();
  });
});

test.describe("audit log as admin", () => {
  test.use({ storageState: storageStateOf("admin") });

  test("filters by action in the URL, shows the staff events, and exports the filter as CSV (itself audited)", async ({ page }) => {
    const email = `e2e-${unique()}@corp.example`;
    await createStaffMember(page, { name: "E2E Audited", email, role: "staff" });

    await page.goto("/audit");
    await page.getByLabel("Action").selectOption("staff.create");
    await expect(page).toHaveURL(/[?&]action=staff\.create/);
    const rows = page.getByTestId("audit-row");
    // The URL changes as the navigation starts; the filtered rows replace the unfiltered ones when it ends.
    await expect(rows.filter({ hasNotText: "staff.create" })).toHaveCount(0);
    await expect(rows.filter({ hasText: email })).toBeVisible();
    await expect(rows.filter({ hasText: email })).toContainText("admin@example.com");

    await page.getByLabel("Outcome").selectOption("denied");
    await expect(page).toHaveURL(/outcome=denied/);
    await expect(page).toHaveURL(/action=staff\.create/);
    // Not "no events": the authorization matrix's forged calls leave denied staff.create events. Ours is gone.
    await expect(rows.filter({ hasText: email })).toHaveCount(0);
    await expect(rows.filter({ hasNotText: "denied" })).toHaveCount(0);
    await expect(rows.filter({ hasNotText: "staff.create" })).toHaveCount(0);
    await expect(rows.first()).toBeVisible();
    await page.getByLabel("Outcome").selectOption("");
    // The export link is rendered with the filters: wait for the page of the cleared filter before using it.
    await expect(page).not.toHaveURL(/outcome=/);
    await expect(rows.filter({ hasText: email })).toBeVisible();
    await expect(page.getByRole("link", { name: "Export CSV" })).not.toHaveAttribute("href", /outcome=/);

    const download = page.waitForEvent("download");
    await page.getByRole("link", { name: "Export CSV" }).click();
    const file = await download;
    expect(file.suggestedFilename()).toMatch(/^audit-events-.*\.csv$/);
    const text = await (await file.createReadStream()).toArray().then((chunks) => Buffer.concat(chunks).toString("utf8"));
    const lines = text.trimEnd().split("\r\n");
    expect(lines[0]).toBe(
      "id,occurred_at,actor_id,actor_email,actor_role,action,outcome,target_user_id,target_connection_id,target_job_id,correlation_id,ip,user_agent,details",
    );
    expect(lines.length).toBeGreaterThan(1);
    for (const line of lines.slice(1)) expect(line).toContain(`"staff.create"`);
    expect(text).toContain(email);

    await page.goto("/audit?action=audit.export");
    await expect(rows.first()).toContainText("staff.create"); // the filter, in the export's own details
    await expect(rows.first()).toContainText("admin@example.com");
  });

  test("a malformed filter in the URL is reported and ignored", async ({ page }) => {
    await page.goto("/audit?actor=not-an-email&outcome=maybe");
    await expect(page.getByText("Ignored a malformed actor e-mail, outcome filter.")).toBeVisible();
    await expect(page.getByTestId("audit-row").first()).toBeVisible();
  });
});

for (const role of ["support", "staff"] as const) {
  test.describe(`staff management and audit as ${role}`, () => {
    test.use({ storageState: storageStateOf(role) });

    test("the pages and the export answer 403", async ({ page, request }) => {
      for (const url of ["/staff", "/audit"]) expect((await page.goto(url))?.status(), url).toBe(403);
      const res = await request.get("/audit/export");
      expect(res.status()).toBe(403);
      expect(await res.text()).not.toContain("actor_email");
    });
  });
}

test.describe("forged staff actions", () => {
  test("support replaying the admin's role-change action is refused", async ({ browser }) => {
    const admin = await browser.newContext({ storageState: storageStateOf("admin") });
    const page = await admin.newPage();
    const email = `e2e-${unique()}@corp.example`;
    await createStaffMember(page, { name: "E2E Target", email, role: "staff" });
    let actionId: string | undefined;
    let body: string | undefined;
    page.on("request", (r) => {
      if (r.method() === "POST" && r.headers()["next-action"]) {
        actionId = r.headers()["next-action"];
        body = r.postData() ?? undefined;
      }
    });
    const row = page.getByTestId("staff-row").filter({ hasText: email });
    await row.getByLabel(`Role of ${email}`, { exact: true }).selectOption("support");
    await row.getByRole("button", { name: `Save role of ${email}` }).click();
    await expect(page.getByRole("status").filter({ hasText: `${email} is now support` })).toBeVisible();
    expect(actionId && body?.includes('"support"')).toBeTruthy();

    const support = await browser.newContext({ storageState: storageStateOf("support") });
    const res = await support.request.post("/staff", {
      headers: { "Next-Action": actionId!, "Content-Type": "text/plain;charset=UTF-8", Origin: new URL(page.url()).origin },
      data: body!.replace('"support"', '"admin"'),
    });
    expect(await res.text()).toContain("You do not have permission");
    await support.close();

    await page.reload();
    await expect(row.getByLabel(`Role of ${email}`, { exact: true })).toHaveValue("support");
    await admin.close();
  });
});
