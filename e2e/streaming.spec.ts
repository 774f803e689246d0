import { expect, test } from "@playwright/test";

import { sequentialRoundTrips } from "../sandbox/round-trips";
import type { RequestLogEntry } from "../sandbox/control";

import { storageStateOf } from "./paths";
import { activeSandboxConnection, injectFault, sandboxUrl } from "./sandbox-client";

// Issue 18 item 14 / issue 15: detail pages stream — the shell and the directory's copy first, the Basiq sections
// behind Suspense with skeletons — and still answer real 404/403/3xx statuses (decided before the first byte,
// not by a loading.tsx that would have sent a 200 first). Basiq is slowed for this spec's own users only (the
// sandbox's per-user faults), so the specs running beside it are not.

// Round trips are counted with Basiq at 1.2 s (below the suite's BASIQ_TIMEOUT_MS of 2 s, so each call answers
// once). The shell-first check needs Basiq far slower than the shell can take on a loaded machine: 6 s answers
// time out (2 s a try) and the live section ends as the directory's copy under a banner, after the shell.
const SLOW_MS = 1200;
const VERY_SLOW_MS = 6000;

/** Slows the next `count` Basiq requests for this user (counted, so nothing is left behind for other specs). */
async function slowDown(userId: string, count: number, ms = SLOW_MS): Promise<void> {
  await injectFault({ kind: "latency", route: "*", ms, userId, count });
}

async function requestLog(userId: string, since: number): Promise<RequestLogEntry[]> {
  const log = (await (await fetch(`${sandboxUrl}/__sandbox/requests/log?userId=${encodeURIComponent(userId)}`)).json()) as RequestLogEntry[];
  return log.filter((e) => e.start >= since);
}

test.describe("streamed detail pages", () => {
  test.use({ storageState: storageStateOf("support") });

  test("with Basiq slow, the user page's shell is on screen before its live section", async ({ page }) => {
    const { userId } = await activeSandboxConnection(200);
    await slowDown(userId, 12, VERY_SLOW_MS);
    await page.goto(`/users/${userId}`, { waitUntil: "commit" });
    // The shell (name from the directory, profile) while Basiq has not answered: the skeletons stand in.
    await expect(page.getByRole("heading", { level: 1 })).toBeVisible();
    await expect(page.getByTestId("last-synced")).toBeVisible();
    await expect(page.getByTestId("connections-loading")).toBeVisible();
    await expect(page.getByTestId("connections-live")).toHaveCount(0);
    // Then the section replaces its skeleton, in the same response.
    await expect(page.getByTestId("connections-live")).toContainText("Connections", { timeout: 20_000 });
    await expect(page.getByTestId("connections-loading")).toHaveCount(0);
  });

  test("the user page asks Basiq for the user, connections, consents and jobs in one round trip", async ({ page }) => {
    const { userId, connectionId } = await activeSandboxConnection(215);
    await slowDown(userId, 3);
    const since = Date.now();
    const r = await page.request.get(`/users/${userId}`);
    expect(r.status()).toBe(200);
    expect(await r.text()).toContain(`/connections/${connectionId}`);
    const calls = await requestLog(userId, since);
    expect(calls.map((c) => c.request).sort()).toEqual([
      `GET /users/${userId}`,
      `GET /users/${userId}/connections`,
      `GET /users/${userId}/consents`, // the consents section (issue 17 §2), started with the others
      `GET /users/${userId}/jobs`,
    ]);
    expect(sequentialRoundTrips(calls)).toBe(1);
  });

  test("with Basiq slow, the connection page's shell comes first too; its Basiq calls are one round trip", async ({ page }) => {
    const { userId, connectionId } = await activeSandboxConnection(230);
    await slowDown(userId, 12, VERY_SLOW_MS);
    await page.goto(`/users/${userId}/connections/${connectionId}`, { waitUntil: "commit" });
    await expect(page.getByTestId("breadcrumb-user")).toBeVisible();
    await expect(page.getByTestId("connection-loading")).toBeVisible();
    await expect(page.getByTestId("connection-live")).toHaveCount(0);
    await expect(page.getByTestId("connection-live")).toBeVisible({ timeout: 20_000 });
    await expect(page.getByTestId("connection-loading")).toHaveCount(0);

    const other = await activeSandboxConnection(245);
    await slowDown(other.userId, 2);
    const since = Date.now();
    expect((await page.request.get(`/users/${other.userId}/connections/${other.connectionId}`)).status()).toBe(200);
    const calls = await requestLog(other.userId, since);
    expect(calls.map((c) => c.request).sort()).toEqual([`GET /users/${other.userId}/connections/${other.connectionId}`, `GET /users/${other.userId}/jobs`]);
    expect(sequentialRoundTrips(calls)).toBe(1);
  });

  test("the statuses stay real: unknown user and connection 404, a forbidden page 403, anonymous 3xx to sign-in", async ({ page, browser, baseURL }) => {
    const { userId } = await activeSandboxConnection(260);
    const unknownUser = "perf0000unknown0user";
    await slowDown(unknownUser, 3); // user, connections, jobs
    await slowDown(userId, 5); // the unknown connection and its jobs, then the user page's three
    // 404: decided (by Basiq, slowly) before anything is sent.
    expect((await page.request.get(`/users/${unknownUser}`, { maxRedirects: 0 })).status()).toBe(404);
    expect((await page.request.get(`/users/${userId}/connections/perf0000unknown0connection`, { maxRedirects: 0 })).status()).toBe(404);
    // A known user's page is a 200 whose first bytes (the shell) arrive before Basiq's answer would.
    const ok = await page.request.get(`/users/${userId}`, { maxRedirects: 0 });
    expect(ok.status()).toBe(200);
    expect(await ok.text()).toContain('data-testid="connections-live"');

    // 403: staff may not open a job page (jobs.read).
    const staff = await browser.newContext({ storageState: storageStateOf("staff") });
    try {
      expect((await staff.request.get(`/jobs/any-job-id`, { maxRedirects: 0 })).status()).toBe(403);
    } finally {
      await staff.close();
    }

    // 3xx: nobody signed in is sent to sign-in.
    const r = await fetch(new URL(`/users/${userId}`, baseURL), { redirect: "manual" });
    expect(r.status).toBeGreaterThanOrEqual(300);
    expect(r.status).toBeLessThan(400);
    expect(r.headers.get("location")).toMatch(/^\/login/);
  });
});
