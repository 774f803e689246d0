import { readFileSync } from "node:fs";

import { expect, request as newRequest, test } from "@playwright/test";

import { serverLogFile, storageStateOf } from "./paths";
import { activeSandboxConsent, sandboxPersonas, sandboxStats } from "./sandbox-client";

// Issue 17 §2–3, what a person sees: the user page's consents and revoking one (the page then says why the
// personal details are gone), the /consents list, and the partner API's keys (shown once, 401 once revoked, a
// staff cookie refused, no page opened with a key).
const baseURL = `http://127.0.0.1:${process.env.E2E_PORT ?? "3100"}`;
const REVOKE = "DELETE /users/{userId}/consents/{consentId}";

test.describe("as admin", () => {
  test.use({ storageState: storageStateOf("admin") });

  test("revokes a consent from the user page: one Basiq call, and the page says why the personal details are gone", async ({ page }) => {
    const target = await activeSandboxConsent(220);
    await page.goto(`/users/${target.userId}`);
    const row = page.getByTestId("consent-row").filter({ hasText: target.consentId });
    await expect(row).toContainText("active");
    await expect(row.getByTestId("days-to-expiry")).toContainText(/day|today/);
    const before = (await sandboxStats())[REVOKE] ?? 0;
    await row.getByRole("button", { name: "Revoke consent…" }).click();
    const confirm = page.getByRole("button", { name: "Revoke permanently" });
    await expect(confirm).toBeDisabled();
    await page.getByLabel(/Type the consent id/).fill(target.consentId);
    const password = page.getByLabel(/Your password/);
    if (await password.count()) await password.fill(process.env.DEMO_PASSWORD ?? "demo-password");
    await confirm.click();
    await expect(page.getByTestId("deidentified-reason")).toContainText("consent.revoked");
    expect((await sandboxStats())[REVOKE] ?? 0).toBe(before + 1);
    await expect(page.getByTestId("consent-row").filter({ hasText: target.consentId })).toContainText("revoked");
  });

  test("creates an API key shown once; it opens the check and nothing else; a staff cookie gets 403; revoked → 401", async ({ page }) => {
    const failing = (await sandboxPersonas()).find((p) => p.demonstrates === "maintenance")!;
    await page.goto("/api-keys");
    const name = `e2e key ${Date.now()}`;
    await page.getByLabel(/^Name/).fill(name);
    await page.getByRole("button", { name: "Create API key" }).click();
    const key = (await page.getByTestId("new-api-key").textContent())!.trim();
    expect(key).toMatch(/^bqk_/);

    const machine = await newRequest.newContext({ baseURL });
    const checked = await machine.post(`/api/v1/users/${failing.userId}/check`, { headers: { authorization: `Bearer ${key}` } });
    expect(checked.status()).toBe(200);
    const body = (await checked.json()) as { connections: { failing: { code: string } | null; action: string; userMessage: string }[] };
    expect(body.connections.find((c) => c.failing?.code === "maintenance")).toMatchObject({ action: "wait" });
    // A key opens no page: the console sends it to sign in.
    const pageWithKey = await machine.get("/users", { headers: { authorization: `Bearer ${key}` }, maxRedirects: 0 });
    expect(pageWithKey.status()).toBe(307);
    expect(pageWithKey.headers()["location"]).toContain("/login");
    // A staff session never opens the machine API.
    expect((await page.request.post(`/api/v1/users/${failing.userId}/check`, { headers: { authorization: `Bearer ${key}` } })).status()).toBe(403);

    await page.reload();
    await expect(page.getByTestId("new-api-key")).toHaveCount(0); // shown once
    const keyRow = page.getByTestId("api-key-row").filter({ hasText: name });
    await expect(keyRow).not.toContainText("never"); // last used
    page.once("dialog", (d) => void d.accept());
    await keyRow.getByRole("button", { name: "Revoke" }).click();
    await expect(keyRow).toContainText("revoked");
    expect((await machine.post(`/api/v1/users/${failing.userId}/check`, { headers: { authorization: `Bearer ${key}` } })).status()).toBe(401);
    expect((await machine.post(`/api/v1/users/${failing.userId}/check`)).status()).toBe(401);
    await machine.dispose();
    expect(readFileSync(serverLogFile, "utf8")).not.toContain(key);
  });
});

test.describe("as support", () => {
  test.use({ storageState: storageStateOf("support") });

  test("/consents lists the consent expiring within 7 days with a masked contact and the message to copy", async ({ page }) => {
    const gilfoyle = (await sandboxPersonas()).find((p) => p.name.includes("Gilfoyle"))!;
    await page.goto(`/users/${gilfoyle.userId}`); // reads (and stores) his consents
    await expect(page.getByTestId("consent-row").first()).toContainText("active");
    await page.goto("/consents");
    const row = page.getByTestId("expiring-consent").filter({ hasText: gilfoyle.userId });
    await expect(row).toContainText("•••");
    await expect(row.getByTestId("consent-message")).toContainText("renew your consent");
    await expect(row.getByRole("button", { name: "Copy message to the user" })).toBeVisible();
    // On the list kit: the pager's totals, a clickable sort, and a user filter kept in the URL.
    await expect(page.getByTestId("pager")).toContainText(/^1–\d+ of \d+ consents?/);
    const expires = page.getByRole("columnheader", { name: /Expires/ });
    await expect(expires).toHaveAttribute("aria-sort", "ascending");
    await expires.getByRole("link").click();
    await expect(page).toHaveURL(/dir=reverse/);
    await expect(expires).toHaveAttribute("aria-sort", "descending");
    await expect(async () => {
      await page.getByLabel("User id").fill(gilfoyle.userId);
      await page.getByLabel("User id").press("Enter");
      await expect(page).toHaveURL(new RegExp(`userId=${gilfoyle.userId}`), { timeout: 2_000 });
    }).toPass();
    await expect(page.getByTestId("expiring-consent")).not.toHaveCount(0);
    for (const r of await page.getByTestId("expiring-consent").all()) await expect(r).toContainText(gilfoyle.userId);
    await expect(page.getByTestId("consents-total")).toContainText("for this user");
  });
});
