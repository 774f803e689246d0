// Signing in through the UI now that admins (and anyone who opted in) need a second factor. The demo admin's
// TOTP key is set up by auth.setup.ts and kept in the state directory, so specs that sign in afresh can compute
// codes. Codes are single-use: when this step's code was already used (by another spec), the next step's is
// accepted too (±1 step), and failing that we wait for the next step.
import { readFileSync, writeFileSync } from "node:fs";
import path from "node:path";

import { expect, type Page } from "@playwright/test";

import { e2eStateDir } from "./paths";
import { totpNow } from "./totp";

export const demoPassword = process.env.DEMO_PASSWORD ?? "demo-password";
const keyFile = (email: string) => path.join(e2eStateDir, `totp-${email.replace(/[^a-z0-9]/gi, "_")}.txt`);

export function saveTotpKey(email: string, key: string): void {
  writeFileSync(keyFile(email), key.replace(/\s/g, ""));
}

export function totpKeyOf(email: string): string {
  return readFileSync(keyFile(email), "utf8").trim();
}

export async function fillPassword(page: Page, email: string, password: string): Promise<void> {
  await page.goto("/login");
  await page.getByLabel("E-mail").fill(email);
  await page.getByLabel("Password").fill(password);
  await page.getByRole("button", { name: "Sign in" }).click();
}

/** On the code page: enter a valid, unused code for this key and land in the console. */
export async function enterTotp(page: Page, key: string): Promise<void> {
  await expect(page.getByRole("heading", { name: "Two-step verification" })).toBeVisible();
  for (let attempt = 0; attempt < 3; attempt++) {
    for (const offset of [0, 1]) {
      await page.getByLabel("Code", { exact: true }).fill(totpNow(key, offset));
      const answered = page.waitForResponse((r) => r.request().method() === "POST" && new URL(r.url()).pathname === "/login/second-factor");
      await page.getByRole("button", { name: "Verify" }).click();
      // A server action that redirects (the code was accepted) says so in this header; otherwise it was refused.
      if ((await answered).headers()["x-action-redirect"]) {
        await page.waitForURL((u) => !u.pathname.startsWith("/login"));
        return;
      }
    }
    await page.waitForTimeout(30_000 - (Date.now() % 30_000) + 500);
  }
  throw new Error("no TOTP code was accepted");
}

/** Full UI sign-in; `key` when the account has a second factor. */
export async function signInWithUi(page: Page, email: string, password: string, key?: string): Promise<void> {
  await fillPassword(page, email, password);
  if (key) await enterTotp(page, key);
  await expect(page.getByTestId("current-staff-role").first()).toBeVisible();
}

/** On the enrolment form: read the manual key, confirm with a code, return the key and the recovery codes. */
export async function enrolFromPage(page: Page): Promise<{ key: string; recoveryCodes: string[] }> {
  const key = ((await page.getByTestId("totp-manual-key").textContent()) ?? "").replace(/\s/g, "");
  expect(key).toMatch(/^[A-Z2-7]{32}$/);
  await page.getByLabel("Enter the 6-digit code the app shows").fill(totpNow(key));
  await page.getByRole("button", { name: "Confirm and turn on" }).click();
  const codes = page.getByTestId("recovery-code");
  await expect(codes).toHaveCount(10);
  const recoveryCodes = (await codes.allTextContents()).map((c) => c.trim());
  return { key, recoveryCodes };
}
