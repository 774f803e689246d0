// Single sign-on through a real OpenID provider (issue 19), as a person sees it: the console that e2e/serve.ts
// starts with OIDC configured (e2e/sso-server.ts) and the provider's test users. Mapped roles land on the right
// pages; an unmapped person waits without access; someone removed from the admin group is demoted at their next
// sign-in; an admin whose provider reports one factor is asked for the console's TOTP; the admin's SSO-only switch
// and an invitation link. (State, nonce, issuer and expiry refusals: lib/auth/oidc-protocol.test.ts.)
import { readFileSync } from "node:fs";

import { expect, test, type Page } from "@playwright/test";

import { ssoLogFile } from "./paths";

import { OIDC_DISPLAY_NAME, oidcIssuer, ssoBaseURL } from "./sso-server";

test.describe.configure({ mode: "serial" });

test.beforeAll(async ({ request }) => {
  test.setTimeout(180_000);
  // The second console starts alongside the first: wait for it.
  await expect
    .poll(async () => (await request.get(`${ssoBaseURL}/api/health`).catch(() => null))?.status() ?? 0, { timeout: 170_000, intervals: [1000] })
    .toBe(200);
});

async function signInAs(page: Page, name: string): Promise<void> {
  await page.goto("/login");
  await page.getByRole("button", { name: `Sign in with ${OIDC_DISPLAY_NAME}` }).click();
  await expect(page.getByRole("heading", { name: "Test identity provider" })).toBeVisible();
  await page.getByRole("button", { name: new RegExp(`^${name} `) }).click();
}

test("mapped roles land on the right pages", async ({ page }) => {
  await signInAs(page, "Sue Support");
  await expect(page.getByTestId("current-staff-role").first()).toHaveText("support");
  await page.goto("/jobs");
  await expect(page.getByRole("heading", { name: "Your role cannot open this page" })).toHaveCount(0);
  await page.goto("/staff");
  await expect(page.getByRole("heading", { name: "Your role cannot open this page" })).toBeVisible();
});

test("a staff-group member gets the staff role only", async ({ page }) => {
  await signInAs(page, "Stan Staff");
  await expect(page.getByTestId("current-staff-role").first()).toHaveText("staff");
  await page.goto("/jobs");
  await expect(page.getByRole("heading", { name: "Your role cannot open this page" })).toBeVisible();
});

test("an unmapped person waits for an administrator, without access", async ({ page }) => {
  await signInAs(page, "Una Unmapped");
  await expect(page).toHaveURL(/\/login\?sso=waiting/);
  await expect(page.getByText("waiting for an administrator")).toBeVisible();
  await page.goto("/");
  await expect(page).toHaveURL(/\/login/);
});

test("an admin whose provider reports one factor is asked for the console's TOTP", async ({ page }) => {
  await signInAs(page, "Sol Single-factor");
  await expect(page).toHaveURL(/\/login\/second-factor/);
  await expect(page.getByRole("heading", { name: "Set up two-step verification" })).toBeVisible();
  await page.goto("/staff");
  await expect(page).toHaveURL(/\/login\/second-factor/);
});

test("someone removed from the admin group is demoted at their next sign-in", async ({ page, browser, request }) => {
  await signInAs(page, "Dee Demoted");
  await expect(page.getByTestId("current-staff-role").first()).toHaveText("admin");
  await page.goto("/staff");
  await expect(page.getByRole("heading", { name: "Staff", exact: true })).toBeVisible();
  const removed = await request.put(`${oidcIssuer}/__test/users/dee/groups`, { data: ["basiq-staff"] });
  expect(removed.status()).toBe(204);
  const later = await browser.newContext({ baseURL: ssoBaseURL });
  const again = await later.newPage();
  await signInAs(again, "Dee Demoted");
  await expect(again.getByTestId("current-staff-role").first()).toHaveText("staff");
  await again.goto("/staff");
  await expect(again.getByRole("heading", { name: "Your role cannot open this page" })).toBeVisible();
  await later.close();
});

test("an admin invites someone: the link works once; SSO-only mode leaves only the SSO button", async ({ page, browser }) => {
  await signInAs(page, "Ada Admin");
  await expect(page.getByTestId("current-staff-role").first()).toHaveText("admin");
  await page.goto("/staff");
  await page.locator("#invite-email").fill("ivan@partner.example");
  await page.getByRole("button", { name: "Create invitation link" }).click();
  const link = (await page.getByTestId("invitation-link").textContent())!.trim();
  expect(link).toMatch(/\/invitation#[A-Za-z0-9_-]{43}$/);

  const invitee = await browser.newContext({ baseURL: ssoBaseURL });
  const p = await invitee.newPage();
  await p.goto(link);
  await expect(p.getByTestId("invitation-email")).toHaveText("ivan@partner.example");
  await expect(p).toHaveURL(/\/invitation$/); // the token left the address bar
  await p.getByLabel("Your name").fill("Ivan Invitee");
  await p.getByLabel("Choose a password").fill("plum tractor umbrella 41");
  await p.getByRole("button", { name: "Set password and sign in" }).click();
  await expect(p.getByTestId("current-staff-role").first()).toHaveText("staff");
  const reuse = await browser.newContext({ baseURL: ssoBaseURL });
  const r = await reuse.newPage();
  await r.goto(link);
  await expect(r.getByTestId("invitation-invalid")).toBeVisible();

  await page.getByRole("button", { name: "Turn on SSO-only mode" }).click();
  await expect(page.getByTestId("sso-only-state")).toContainText("on");
  await r.goto("/login");
  await expect(r.getByRole("button", { name: `Sign in with ${OIDC_DISPLAY_NAME}` })).toBeVisible();
  await expect(r.getByLabel("Password")).toHaveCount(0);
  await page.getByRole("button", { name: "Allow passwords again" }).click();
  await expect(page.getByTestId("sso-only-state")).toContainText("off");
  await invitee.close();
  await reuse.close();
  // The token never reached the console's log (it travels in the link's #fragment and a POST body only).
  const token = link.slice(link.indexOf("#") + 1);
  expect(readFileSync(ssoLogFile, "utf8")).not.toContain(token);
});
