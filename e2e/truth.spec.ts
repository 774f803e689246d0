// Issue 18, "Truth on the page" (items 1–4 and 6; the outage, item 5, is e2e/outage.spec.ts in a project of its
// own): one verdict per failure, staff see why a bank is not updating, overview figures equal their lists, a
// purge is visible, connectors one row per bank with a server-rendered logo fallback.
import { expect, type Page, test } from "@playwright/test";

import { storageStateOf } from "./paths";
import { activeSandboxConnection, sandboxPersonas } from "./sandbox-client";

const countOf = async (page: Page, testId: string) => Number((await page.getByTestId(testId).innerText()).replace(/[^0-9]/g, ""));

test.describe("one verdict per failure", () => {
  test.use({ storageState: storageStateOf("support") });

  test("the job page shows one verdict that says why, and no competing 'likely bank-side right now' box", async ({ page }) => {
    const monica = (await sandboxPersonas()).find((p) => p.demonstrates === "account-not-accessible-requires-user-action")!;
    await page.goto(`/jobs/${monica.failedJobId}`);
    await expect(page.getByTestId("remediation")).toHaveCount(1);
    await expect(page.getByTestId("verdict-reason")).toContainText(/when this failed/);
    await expect(page.getByText(/right now: this failure is likely on the bank/)).toHaveCount(0);
    // The connection page: the same verdict, no connector card "wait and retry".
    await page.goto(`/users/${monica.userId}/connections/${monica.connectionId}`);
    await expect(page.getByText(/wait and retry later/)).toHaveCount(0);
  });
});

test.describe("staff see why a bank is not updating", () => {
  test.use({ storageState: storageStateOf("staff") });

  test("the latest failure's code, reason and tell-the-user sentence on the connection and user pages, with no link to the job", async ({ page, browser }) => {
    const monica = (await sandboxPersonas()).find((p) => p.demonstrates === "account-not-accessible-requires-user-action")!;
    // Support opened Monica once (the console stores her connections and jobs as they are read).
    const support = await browser.newContext({ storageState: storageStateOf("support") });
    const supportPage = await support.newPage();
    await supportPage.goto(`/users/${monica.userId}`);
    await expect(supportPage.getByRole("table", { name: "Job history" }).or(supportPage.getByTestId("latest-failure")).first()).toBeVisible();
    await support.close();

    const connectionPage = `/users/${monica.userId}/connections/${monica.connectionId}`;
    await expect(async () => {
      await page.goto(connectionPage);
      await expect(page.getByTestId("latest-failure")).toBeVisible({ timeout: 1000 });
    }).toPass({ timeout: 20_000 });
    const verdict = page.getByTestId("latest-failure");
    await expect(verdict.getByTestId("verdict-code")).toHaveText("account-not-accessible-requires-user-action");
    await expect(verdict.getByTestId("verdict-reason")).toContainText(/when this failed/);
    await expect(verdict.getByTestId("tell-the-user")).toContainText(/internet banking/);
    await expect(page.locator('a[href^="/jobs"]')).toHaveCount(0);

    await page.goto(`/users/${monica.userId}`);
    await expect(page.getByTestId("latest-failure").first().getByTestId("tell-the-user")).toBeVisible();
    await expect(page.locator('a[href^="/jobs"]')).toHaveCount(0);
  });

  test("the overview links no figure to a page staff cannot open", async ({ page }) => {
    await page.goto("/");
    await expect(page.getByTestId("overview-users")).toBeVisible();
    await expect(page.locator('main a[href^="/jobs"]')).toHaveCount(0);
  });
});

test.describe("every overview figure equals the list it opens", () => {
  test.use({ storageState: storageStateOf("support") });

  test("each linked figure's number is the total on its list", async ({ page }) => {
    test.setTimeout(150_000); // four user pages, then up to 60 s of retries over the overview and every list it links
    // Some failed jobs in the store: support's job histories store what they read.
    for (const p of (await sandboxPersonas()).filter((x) => x.failedJobId).slice(0, 4)) await page.goto(`/users/${p.userId}`);
    // Other specs write to the directory and the job store meanwhile: a mismatch is retried with fresh figures.
    await expect(async () => {
      await page.goto("/");
      const figures = await page.getByTestId("overview-figure").evaluateAll((links) =>
        links.map((a) => ({ href: a.getAttribute("href")!, count: Number(a.getAttribute("data-count")) })),
      );
      expect(figures.length).toBeGreaterThan(2);
      expect(figures.some((f) => f.href.startsWith("/jobs"))).toBe(true);
      for (const f of figures) {
        await page.goto(f.href);
        const total = await countOf(page, f.href.startsWith("/jobs") ? "error-log-total" : "users-total");
        expect(total, `${f.href}: overview ${f.count}, list ${total}`).toBe(f.count);
      }
    }).toPass({ timeout: 60_000 });
  });
});

test.describe("purged is visible", () => {
  test.use({ storageState: storageStateOf("admin") });

  test("after a purge the connection page says when and by whom, hides accounts and disables a second purge", async ({ page }) => {
    const target = await activeSandboxConnection(100);
    await page.goto(`/users/${target.userId}/connections/${target.connectionId}`);
    await page.getByRole("button", { name: "Purge data…" }).click();
    await page.getByLabel("Connection id to confirm").fill(target.connectionId);
    const password = page.getByLabel(/Your password/);
    if (await password.count()) await password.fill(process.env.DEMO_PASSWORD ?? "demo-password");
    await page.getByRole("button", { name: "Purge permanently" }).click();
    await expect(page.getByText(/^Purged: Basiq deleted the data/)).toBeVisible();
    await page.goto(`/users/${target.userId}/connections/${target.connectionId}`);
    await expect(page.getByTestId("purged-notice")).toContainText(/^Data purged on .+ by .+\./);
    await expect(page.getByRole("button", { name: "Purge data…" })).toBeDisabled();
    await expect(page.getByTestId("account-balance")).toHaveCount(0);
    await expect(page.getByText("Data purged: no accounts until a refresh brings data back.")).toBeVisible();
  });
});

test.describe("connectors: one row per bank", () => {
  test.use({ storageState: storageStateOf("staff") });

  test("each bank once, its methods worst status first, 'seen since' labelled", async ({ page }) => {
    await page.goto("/connectors");
    const rows = page.getByTestId("connector-row");
    await expect(rows.first()).toBeVisible();
    const ids = await rows.locator(".font-mono").allInnerTexts();
    expect(new Set(ids).size).toBe(ids.length);
    expect(await page.getByTestId("connector-method").count()).toBeGreaterThan(ids.length); // some banks have two methods
    const order = ["major-outage", "partial-outage", "degraded-performance", "under-maintenance", "operational"];
    for (const row of await rows.all()) {
      const statuses = await row.getByTestId("connector-method").evaluateAll((els) => els.map((e) => e.getAttribute("data-status")!));
      const ranks = statuses.map((s) => order.indexOf(s));
      expect(ranks, statuses.join(",")).toEqual([...ranks].sort((a, b) => a - b));
      expect(await row.getAttribute("data-status")).toBe(statuses[0]);
    }
    await expect(page.getByTestId("status-since").first()).toContainText(/since/);
  });

  test("'Most failures' sorts banks by their failure counts", async ({ page }) => {
    await page.goto("/connectors?sort=failures");
    const counts = (await page.getByTestId("bank-failures").allInnerTexts()).map((t) => t.split("/").map((n) => Number(n.trim())) as [number, number]);
    const sorted = [...counts].sort((a, b) => b[0] - a[0] || b[1] - a[1]);
    expect(counts).toEqual(sorted);
  });

  test("the logo fallback (initials) is in the server-rendered page: it shows without JavaScript", async ({ browser }) => {
    const context = await browser.newContext({ storageState: storageStateOf("staff"), javaScriptEnabled: false });
    const page = await context.newPage();
    await page.goto("/connectors?sort=name");
    const rows = page.getByTestId("connector-row");
    expect(await rows.count()).toBeGreaterThan(5);
    for (const row of (await rows.all()).slice(0, 5)) await expect(row.getByTestId("connector-logo-fallback")).toBeVisible();
    await context.close();
  });
});
