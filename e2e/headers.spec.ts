// SECURITY.md NX-3 and SES-1 (cookie flags) against the production build: the headers of a sample of pages and
// route handlers as the roles that may open them, a fresh CSP nonce on every response carried by every script,
// pages that still hydrate with no CSP violation, and the flags of a real sign-in's session cookie.
import { type APIResponse, type Page, expect, test } from "@playwright/test";

import { storageStateOf } from "./paths";
import { sandboxPersonas } from "./sandbox-client";

type Role = "admin" | "support" | "staff";

/** A persona whose user has a connection and a failed job: ids for the user, connection and job pages. */
async function sampleIds(): Promise<{ userId: string; connectionId: string; jobId: string }> {
  const p = (await sandboxPersonas()).find((x) => x.connectionId && x.failedJobId);
  if (!p?.connectionId || !p.failedJobId) throw new Error("no persona with a connection and a failed job");
  return { userId: p.userId, connectionId: p.connectionId, jobId: p.failedJobId };
}

function directives(csp: string): Map<string, string[]> {
  return new Map(
    csp.split(";").map((d) => {
      const [name = "", ...values] = d.trim().split(/\s+/);
      return [name, values] as const;
    }),
  );
}

/** Checks the headers every response must carry; returns the CSP nonce. */
function expectSecurityHeaders(res: APIResponse, label: string): string {
  const h = res.headers();
  const csp = h["content-security-policy"];
  expect(csp, `${label}: CSP`).toBeTruthy();
  const d = directives(csp!);
  const scriptSrc = d.get("script-src") ?? [];
  const nonce = scriptSrc.find((s) => s.startsWith("'nonce-"))?.slice("'nonce-".length, -1);
  expect(nonce, `${label}: nonce in script-src`).toMatch(/^[A-Za-z0-9+/]{22}==$/);
  expect(scriptSrc, label).toContain("'strict-dynamic'");
  expect(scriptSrc, `${label}: no inline scripts`).not.toContain("'unsafe-inline'");
  expect(scriptSrc, `${label}: no eval in a production build`).not.toContain("'unsafe-eval'");
  expect(d.get("frame-ancestors"), label).toEqual(["'none'"]);
  expect(d.get("object-src"), label).toEqual(["'none'"]);
  expect(d.get("base-uri"), label).toEqual(["'none'"]);
  expect(d.get("form-action"), label).toEqual(["'self'"]);
  expect(h["x-content-type-options"], label).toBe("nosniff");
  expect(h["referrer-policy"], label).toBe("same-origin");
  expect(h["x-frame-options"], label).toBe("DENY");
  expect(h["permissions-policy"], label).toContain("camera=()");
  // e2e/serve.ts runs `next start` on a production build, so HSTS is on (browsers ignore it over http).
  expect(h["strict-transport-security"], label).toBe("max-age=63072000; includeSubDomains");
  expect(h["cache-control"], `${label}: Cache-Control`).toMatch(/(^|,\s*)no-store(,|$)/);
  return nonce!;
}

/** Every <script> in the HTML carries this response's nonce, and there is inline script (Next's RSC payload). */
function expectScriptsCarryNonce(html: string, nonce: string, label: string): void {
  const tags = html.match(/<script\b[^>]*>/gi) ?? [];
  expect(tags.length, `${label}: scripts`).toBeGreaterThan(0);
  expect(tags.filter((t) => !/\bsrc=/i.test(t)).length, `${label}: inline scripts`).toBeGreaterThan(0);
  for (const tag of tags) expect(tag, label).toContain(`nonce="${nonce}"`);
}

/** GET as the page's context (its cookies), no redirects followed: a 302 to /login would mean a wrong role. */
async function get(page: Page, url: string): Promise<APIResponse> {
  const res = await page.request.get(url, { maxRedirects: 0 });
  expect(res.status(), `${url} status`).toBe(200);
  return res;
}

const samples: { role: Role | null; pages: string[]; handlers: string[] }[] = [
  { role: null, pages: ["/login"], handlers: ["/api/health"] },
  {
    role: "admin",
    pages: ["/", "/staff", "/audit", "/users/{userId}", "/users/{userId}/connections/{connectionId}"],
    handlers: ["/audit/export"],
  },
  {
    role: "support",
    pages: ["/jobs", "/jobs/{jobId}", "/users"],
    handlers: ["/jobs/export", "/api/jobs/{jobId}"],
  },
  { role: "staff", pages: ["/", "/connectors"], handlers: [] },
];

async function resolve(url: string): Promise<string> {
  if (!url.includes("{")) return url;
  const ids = await sampleIds();
  return url
    .replace("{userId}", ids.userId)
    .replace("{connectionId}", ids.connectionId)
    .replace("{jobId}", ids.jobId);
}

for (const sample of samples) {
  test.describe(`security headers as ${sample.role ?? "anonymous"}`, () => {
    if (sample.role) test.use({ storageState: storageStateOf(sample.role) });

    test("pages: headers, a fresh nonce per response, every script carries it", async ({ page }) => {
      for (const template of sample.pages) {
        const url = await resolve(template);
        const first = await get(page, url);
        const nonce = expectSecurityHeaders(first, url);
        expect(first.headers()["content-type"], url).toContain("text/html");
        expectScriptsCarryNonce(await first.text(), nonce, url);
        const second = await get(page, url);
        const again = expectSecurityHeaders(second, url);
        expect(again, `${url}: a new nonce for every response`).not.toBe(nonce);
        expectScriptsCarryNonce(await second.text(), again, url);
      }
    });

    if (sample.handlers.length > 0) {
      test("route handlers: headers and no-store", async ({ page }) => {
        for (const template of sample.handlers) {
          const url = await resolve(template);
          const res = await get(page, url);
          expectSecurityHeaders(res, url);
          expect(res.headers()["content-type"], url).toMatch(/text\/csv|application\/json/);
        }
      });
    }
  });
}

test("responses the proxy never sees (static files, Next's own 404) carry the baseline headers (issue 14 item 11)", async ({ request }) => {
  // The proxy's matcher skips /_next/static; next.config.ts `headers()` covers it and whatever Next answers itself.
  for (const url of ["/_next/static/chunks/no-such-chunk.js", "/favicon.ico"]) {
    const res = await request.get(url, { maxRedirects: 0 });
    const h = res.headers();
    expect(h["x-content-type-options"], url).toBe("nosniff");
    expect(h["x-frame-options"], url).toBe("DENY");
    expect(h["referrer-policy"], url).toBe("same-origin");
    expect(directives(h["content-security-policy"] ?? "").get("frame-ancestors"), url).toEqual(["'none'"]);
  }
});

test.describe("pages hydrate under the CSP with no violation", () => {
  /** Records CSP violations and console errors; init scripts are injected by the browser, outside the CSP. */
  async function watch(page: Page): Promise<{ problems: () => Promise<string[]> }> {
    const errors: string[] = [];
    const origin = new URL(test.info().project.use.baseURL ?? "http://localhost").origin;
    page.on("pageerror", (e) => errors.push(`pageerror: ${e.message}`));
    page.on("console", (msg) => {
      if (msg.type() !== "error") return;
      const from = msg.location().url;
      if (msg.text().startsWith("Failed to load resource")) {
        // A remote connector logo that cannot load (no network here) is a network error, not a CSP one; the
        // console has no favicon and the browser asks for one anyway.
        if (!from.startsWith(origin) || new URL(from).pathname === "/favicon.ico") return;
      }
      errors.push(`console: ${msg.text()} (${from})`);
    });
    await page.addInitScript(() => {
      const w = window as unknown as { __csp: string[] };
      w.__csp = [];
      document.addEventListener("securitypolicyviolation", (e) =>
        w.__csp.push(`${e.effectiveDirective} ${e.blockedURI}`),
      );
    });
    return {
      problems: async () => [
        ...errors,
        ...(await page.evaluate(() => (window as unknown as { __csp: string[] }).__csp)),
      ],
    };
  }

  /** React attaches its fiber to DOM nodes when it hydrates them: proof the nonce'd scripts ran. */
  async function expectHydrated(page: Page, label: string): Promise<void> {
    await expect
      .poll(
        () =>
          page.evaluate(() =>
            [...document.querySelectorAll("body *")].some((el) =>
              Object.keys(el).some((k) => k.startsWith("__reactFiber$")),
            ),
          ),
        { message: `${label} hydrated` },
      )
      .toBe(true);
  }

  test("anonymous: the login page hydrates, and a blocked load is seen (the check can fail)", async ({
    page,
  }) => {
    const w = await watch(page);
    await page.goto("/login");
    await expectHydrated(page, "/login");
    expect(await w.problems()).toEqual([]);
    // Control: an image from an origin the CSP does not list is blocked and reported.
    await page.evaluate(() => {
      new Image().src = "https://not-allowed.example/pixel.png";
    });
    await expect.poll(w.problems).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^img-src https:\/\/not-allowed\.example/), // the securitypolicyviolation event
        expect.stringMatching(/^console: .*violates the following Content Security Policy directive/), // its log line
      ]),
    );
  });

  const browsed: { role: Role; urls: string[] }[] = [
    { role: "admin", urls: ["/", "/staff", "/audit", "/users/{userId}/connections/{connectionId}"] },
    { role: "support", urls: ["/jobs", "/jobs/{jobId}", "/users/{userId}", "/users", "/connectors"] },
  ];
  for (const { role, urls } of browsed) {
    test.describe(role, () => {
      test.use({ storageState: storageStateOf(role) });
      test(`${role}: pages hydrate and stay interactive`, async ({ page }) => {
        test.setTimeout(120_000); // five pages in one test
        const w = await watch(page);
        for (const template of urls) {
          const url = await resolve(template);
          await page.goto(url);
          await expectHydrated(page, url); // images and chunks were requested by then: a CSP block is already reported
          expect(await w.problems(), url).toEqual([]);
        }
        // Interactive, not just hydrated: a client-side navigation through the nav renders the next page.
        await page.getByRole("link", { name: "Overview" }).first().click();
        await expect(page).toHaveURL(/\/$/);
        await expect(page.getByTestId("current-staff-role").first()).toHaveText(role);
        expect(await w.problems()).toEqual([]);
      });
    });
  }
});

test.describe("session cookie", () => {
  test("a real sign-in sets it HttpOnly, SameSite=Lax, Path=/ (not Secure over this http server)", async ({
    page,
  }) => {
    const setCookies: string[] = [];
    page.on("response", async (res) => {
      // A response still arriving as the test ends (a prefetch) finds the page closed: nothing to read then.
      for (const h of await res.headersArray().catch(() => []))
        if (h.name.toLowerCase() === "set-cookie") setCookies.push(...h.value.split("\n"));
    });
    await page.goto("/login");
    await page.getByLabel("E-mail").fill("support@example.com");
    await page.getByLabel("Password").fill(process.env.DEMO_PASSWORD ?? "demo-password");
    await page.getByRole("button", { name: "Sign in" }).click();
    await expect(page.getByTestId("current-staff-role").first()).toHaveText("support");

    const session = setCookies.find((c) => /^(__Secure-)?authjs\.session-token=./.test(c));
    expect(
      session,
      `session Set-Cookie among: ${setCookies.map((c) => c.split("=")[0]).join(", ")}`,
    ).toBeTruthy();
    const attrs = session!
      .split(";")
      .slice(1)
      .map((a) => a.trim().toLowerCase());
    expect(attrs).toContain("httponly");
    expect(attrs).toContain("samesite=lax");
    expect(attrs).toContain("path=/");
    expect(attrs).not.toContain("secure"); // http://localhost; the https case is lib/security/cookies.test.ts

    const [cookie] = (await page.context().cookies()).filter((c) => c.name.endsWith("authjs.session-token"));
    expect(cookie).toMatchObject({ httpOnly: true, sameSite: "Lax", path: "/", secure: false });
    expect(await page.evaluate(() => document.cookie)).not.toContain("session-token");
  });
});
