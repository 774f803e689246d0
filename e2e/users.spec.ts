import { expect, test, type Page } from "@playwright/test";

import { storageStateOf } from "./paths";
import { clearFaults, injectFault, sandboxConnectionStatuses, sandboxUser, type SandboxUser } from "./sandbox-client";

/** "+61412345678" → "0412 345 678": the same mobile as people type it. */
function localFormat(e164: string): string {
  const national = `0${e164.slice(3)}`;
  return `${national.slice(0, 4)} ${national.slice(4, 7)} ${national.slice(7)}`;
}

async function search(page: Page, q: string) {
  await page.goto(`/users?q=${encodeURIComponent(q)}`);
  await expect(page.getByTestId("users-total")).toBeVisible();
}

for (const role of ["staff", "support", "admin"] as const) {
  test.describe(`users as ${role}`, () => {
    test.use({ storageState: storageStateOf(role) });
    let user: SandboxUser;
    test.beforeAll(async () => {
      user = await sandboxUser(role === "staff" ? 7 : role === "support" ? 11 : 13);
    });

    test("finds a user by e-mail, mobile in another format, name word and id prefix", async ({ page }) => {
      const row = () => page.getByRole("link", { name: new RegExp(`${user.firstName}.*${user.lastName}`) });
      await search(page, user.email.toUpperCase());
      await expect(row()).toBeVisible();
      await search(page, localFormat(user.mobile));
      await expect(row()).toBeVisible();
      await search(page, user.lastName.toLowerCase());
      await expect(row()).toBeVisible();
      await search(page, user.id.slice(0, 8));
      await expect(row()).toBeVisible();
      // a partial e-mail is not a match (exact match only on encrypted fields)
      await search(page, user.email.slice(0, -3));
      await expect(page.getByTestId("users-total")).toHaveText(/^0 users match/);
    });

    test("opens the user and a connection; Back returns to the same filtered list", async ({ page }) => {
      await page.goto("/users");
      await page.getByLabel("Search users").fill(user.lastName);
      await expect(page).toHaveURL(new RegExp(`q=${encodeURIComponent(user.lastName)}`));
      const [status] = await sandboxConnectionStatuses(user.id);
      expect(status, "the chosen seeded user has a connection").toBeTruthy();
      await page.getByLabel("Connection status").selectOption(status!);
      await expect(page).toHaveURL(new RegExp(`status=${status}`));
      const listUrl = page.url();
      await page.getByRole("link", { name: new RegExp(`${user.firstName}.*${user.lastName}`) }).click();
      await expect(page.getByTestId("last-synced")).toBeVisible();
      await expect(page.getByRole("heading", { level: 1 })).toContainText(user.lastName);
      const connection = page.locator("table a").first();
      await connection.click();
      await expect(page.getByTestId("status-explained")).toBeVisible();
      await page.goBack();
      await page.goBack();
      await expect(page).toHaveURL(listUrl);
      await expect(page.getByLabel("Search users")).toHaveValue(user.lastName);
    });

    test("never receives what the role may not see", async ({ page, request }) => {
      const res = await request.get(`/users?q=${encodeURIComponent(user.id)}`);
      const html = await res.text();
      expect(html).not.toContain(user.email);
      expect(html).not.toContain(user.mobile);
      expect(html).not.toMatch(/v1\.dev1\./); // ciphertexts
      expect(html).not.toMatch(/email_?idx|mobile_?idx|emailEnc|nameEnc/i);
      const rsc = await request.get(`/users/${user.id}`, { headers: { RSC: "1" } });
      const payload = await rsc.text();
      expect(payload).not.toContain(user.email);
      expect(payload).not.toContain(user.mobile);
      expect(payload).not.toMatch(/v1\.dev1\./);
      await page.goto(`/users/${user.id}`);
      await expect(page.getByTestId("last-synced")).toBeVisible();
      const reveal = page.getByRole("button", { name: "Reveal e-mail" });
      if (role === "staff") await expect(reveal).toHaveCount(0);
      else await expect(reveal).toBeVisible();
    });
  });
}

test.describe("reveal and audit", () => {
  test.use({ storageState: storageStateOf("support") });

  test("support reveals one e-mail; the audit log names the field and the user", async ({ page, browser }) => {
    const user = await sandboxUser(17);
    await page.goto(`/users/${user.id}`);
    await page.getByRole("button", { name: "Reveal e-mail" }).click();
    await expect(page.getByText(user.email)).toBeVisible();
    await expect(page.getByText(user.mobile)).toHaveCount(0); // one value at a time
    const admin = await browser.newContext({ storageState: storageStateOf("admin") });
    const adminPage = await admin.newPage();
    await adminPage.goto("/audit");
    const row = adminPage.getByRole("row").filter({ hasText: "pii.reveal" }).filter({ hasText: user.id }).first();
    await expect(row).toBeVisible();
    await expect(row).toContainText("support@example.com");
    await admin.close();
  });

  test("staff cannot reveal by calling the server action directly", async ({ browser }) => {
    // The action id is public in the page's JS; a forged POST as staff must be refused by the server.
    const support = await browser.newContext({ storageState: storageStateOf("support") });
    const page = await support.newPage();
    const user = await sandboxUser(19);
    let actionId: string | undefined;
    let body: string | undefined;
    page.on("request", (r) => {
      if (r.method() === "POST" && r.headers()["next-action"]) {
        actionId = r.headers()["next-action"];
        body = r.postData() ?? undefined;
      }
    });
    await page.goto(`/users/${user.id}`);
    await page.getByRole("button", { name: "Reveal e-mail" }).click();
    await expect(page.getByText(user.email)).toBeVisible();
    await support.close();
    expect(actionId).toBeTruthy();

    const staff = await browser.newContext({ storageState: storageStateOf("staff") });
    const res = await staff.request.post(`/users/${user.id}`, {
      headers: { "Next-Action": actionId!, "Content-Type": "text/plain;charset=UTF-8", Origin: new URL(page.url()).origin },
      data: body,
    });
    const text = await res.text();
    expect(text).not.toContain(user.email);
    expect(text).toContain("You do not have permission");
    await staff.close();
  });
});

test.describe("import", () => {
  test.use({ storageState: storageStateOf("support") });

  test("reports each line and adds only users Basiq knows", async ({ page }) => {
    const known = await sandboxUser(3);
    await page.goto("/users/import");
    await page.getByLabel(/Basiq user ids/).fill([known.id, known.id, "unknown-user-0000", "<script>alert(1)</script>", ""].join("\n"));
    await page.getByRole("button", { name: "Import" }).click();
    await expect(page.getByTestId("import-summary")).toBeVisible();
    const rows = page.getByTestId("import-row");
    await expect(rows).toHaveCount(4);
    await expect(rows.nth(0)).toContainText("already present");
    await expect(rows.nth(1)).toContainText("duplicate");
    await expect(rows.nth(2)).toContainText("not found");
    await expect(rows.nth(3)).toContainText("invalid");
  });

  test("staff cannot open the import page", async ({ browser }) => {
    const staff = await browser.newContext({ storageState: storageStateOf("staff") });
    const res = await (await staff.newPage()).goto("/users/import");
    expect(res?.status()).toBe(403);
    await staff.close();
  });
});

test.describe("Basiq unavailable", () => {
  test.use({ storageState: storageStateOf("staff") });
  test.afterEach(clearFaults);

  test("the user page shows the directory copy under a banner", async ({ page }) => {
    const user = await sandboxUser(23);
    // Scoped to this user: specs run side by side against the one sandbox.
    await injectFault({ kind: "status", route: "GET /users/{userId}/connections", status: 503, userId: user.id });
    await page.goto(`/users/${user.id}`);
    await expect(page.getByText("Basiq unavailable: showing the directory copy")).toBeVisible();
    await expect(page.getByRole("heading", { level: 1 })).toContainText(user.lastName);
    await expect(page.getByText("Connections (directory copy)")).toBeVisible();
  });

  test("an unknown or malformed user id is a 404, never a 500", async ({ page }) => {
    for (const id of ["no-such-user-123", "%00%27%22", "a".repeat(300)]) {
      const res = await page.goto(`/users/${id}`);
      expect(res?.status(), id).toBe(404);
    }
  });
});

test.describe("phone width", () => {
  test.use({ storageState: storageStateOf("support"), viewport: { width: 390, height: 844 } });

  test("pages do not scroll sideways (tables scroll inside their own box)", async ({ page }) => {
    const user = await sandboxUser(0);
    for (const url of ["/", "/users", `/users/${user.id}`, "/users/import"]) {
      await page.goto(url);
      await page.waitForLoadState("networkidle");
      const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
      expect(overflow, url).toBeLessThanOrEqual(0);
    }
  });
});
