import { readdirSync, readFileSync, statSync } from "node:fs";
import path from "node:path";

import { expect, test } from "@playwright/test";

import { sentinelFile, storageStateOf } from "./paths";
import { demoPassword, signInWithUi, totpKeyOf } from "./second-factor";

const expectedNav: Record<"admin" | "support" | "staff", string[]> = {
  staff: ["Overview", "Users", "Connectors"],
  support: ["Overview", "Users", "Error log", "Consents", "Connectors"],
  admin: ["Overview", "Users", "Error log", "Consents", "Connectors", "Webhooks", "Audit log", "Staff", "Operations", "API keys", "Alerts"],
};

test.describe("anonymous", () => {
  test("every page redirects to sign-in", async ({ page }) => {
    for (const url of ["/", "/users", "/audit", "/staff"]) {
      await page.goto(url);
      await expect(page).toHaveURL(/\/login/);
      await expect(page.getByRole("button", { name: "Sign in" })).toBeVisible();
    }
  });

  test("health answers without authentication and without secrets", async ({ request }) => {
    const res = await request.get("/api/health");
    expect(res.status()).toBe(200);
    expect(await res.json()).toEqual({ status: "ok", db: "ok", basiq: "sandbox" });
  });

  test("sign-in works through next-auth's standard endpoints", async ({ request }) => {
    const csrf = (await (await request.get("/api/auth/csrf")).json()) as { csrfToken: string };
    expect(csrf.csrfToken).toBeTruthy();
    const res = await request.post("/api/auth/callback/credentials", {
      form: { csrfToken: csrf.csrfToken, email: "support@example.com", password: process.env.DEMO_PASSWORD ?? "demo-password" },
      maxRedirects: 0,
    });
    expect(res.status()).toBe(302);
    const session = (await (await request.get("/api/auth/session")).json()) as { user?: { id?: string } };
    expect(session.user?.id).toMatch(/^[0-9a-f-]{36}$/);
    // the session carries no role, e-mail or secret: the role is re-read from the database on every request
    expect(JSON.stringify(session)).not.toMatch(/support@example\.com|"role"/);
  });

  test("a wrong password gets the same message as an unknown account", async ({ page }) => {
    const messages: string[] = [];
    for (const email of ["support@example.com", "nobody@example.com"]) {
      await page.goto("/login");
      await page.getByLabel("E-mail").fill(email);
      await page.getByLabel("Password").fill("wrong-password");
      await page.getByRole("button", { name: "Sign in" }).click();
      const alert = page.getByText(/do not match an active account/);
      await expect(alert).toBeVisible();
      messages.push((await alert.textContent()) ?? "");
    }
    expect(messages[0]).toBe(messages[1]);
  });
});

for (const role of ["admin", "support", "staff"] as const) {
  test.describe(`signed in as ${role}`, () => {
    test.use({ storageState: storageStateOf(role) });

    test("sees exactly the navigation of the role, with name and role", async ({ page }) => {
      await page.goto("/");
      const nav = page.getByRole("navigation", { name: "Main" });
      await expect(nav.getByRole("link")).toHaveText(expectedNav[role]);
      await expect(page.getByTestId("current-staff-role").first()).toHaveText(role);
    });

    test("admin-only pages answer 403 unless admin", async ({ page }) => {
      for (const url of ["/audit", "/staff"]) {
        const res = await page.goto(url);
        if (role === "admin") {
          expect(res?.status()).toBe(200);
        } else {
          expect(res?.status()).toBe(403);
          await expect(page.getByText("Your role cannot open this page")).toBeVisible();
        }
      }
    });
  });
}

test.describe("admin", () => {
  test.use({ storageState: storageStateOf("admin") });

  test("sign-ins are in the audit log", async ({ page }) => {
    await page.goto("/audit");
    await expect(page.getByRole("cell", { name: "auth.sign_in" }).first()).toBeVisible();
  });

  test("signing out ends the session", async ({ browser }) => {
    // a fresh sign-in, so the shared admin state stays valid for other tests
    const context = await browser.newContext({ storageState: { cookies: [], origins: [] } });
    const page = await context.newPage();
    // The demo admin set up a second factor in auth.setup.ts: a fresh sign-in asks for a code.
    await signInWithUi(page, "admin@example.com", demoPassword, totpKeyOf("admin@example.com"));
    await expect(page.getByTestId("current-staff-role").first()).toHaveText("admin");
    await page.getByRole("button", { name: "Sign out" }).first().click();
    await expect(page).toHaveURL(/\/login/);
    await page.goto("/audit");
    await expect(page).toHaveURL(/\/login/);
    await context.close();
  });
});

test("no secret from the build environment reaches a browser bundle", () => {
  const sentinel = readFileSync(sentinelFile, "utf8").trim();
  expect(sentinel).toMatch(/^sentinel-/);
  const files: string[] = [];
  const walk = (dir: string) => {
    for (const name of readdirSync(dir)) {
      const full = path.join(dir, name);
      if (statSync(full).isDirectory()) walk(full);
      else files.push(full);
    }
  };
  walk(path.join(process.cwd(), ".next", "static"));
  expect(files.length).toBeGreaterThan(10);
  for (const file of files) {
    const text = readFileSync(file, "latin1");
    expect(text.includes(sentinel), file).toBe(false);
    expect(text.includes("sandbox-key"), file).toBe(false);
  }
});
