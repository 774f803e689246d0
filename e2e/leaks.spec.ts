// The secret and data-leak crawl (SECURITY.md NX-1, AZ-4, DP-3). It runs after every other spec, so the server
// log already holds the whole run. For each role the real browser walks every page it can reach (nav, tables,
// filters, detail pages, exports, JSON routes), and every response body it receives (HTML, RSC payloads, JS
// chunks, JSON, CSV, server-action replies) is searched for: the build's sentinel API key, the sandbox key, any
// token the sandbox ever issued, AUTH_SECRET, the encryption and blind-index keys, ciphertexts, blind indexes
// of the sandbox users, password hashes; and, except for an audited reveal by support, the users' unmasked
// e-mails and mobiles. Then the server log is searched for the same, plus every end user's e-mail and mobile.
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import path from "node:path";

import { expect, test, type BrowserContext, type Page, type Request } from "@playwright/test";

import {
  AnchorSet,
  blindIndexOf,
  keyForms,
  nameWordsOf,
  normaliseEmail,
  normaliseMobile,
  PiiSet,
  scanCiphertexts,
  scanFixed,
  scanRawRows,
  type Finding,
  type FixedSecret,
} from "./leak-scan";
import { dataDirFile, sentinelFile, serverLogFile, storageStateOf } from "./paths";
import { sandboxUrl } from "./sandbox-client";
import { consoleWebhookSecret } from "./webhook-secret";

// Not serial: one role's leak must not hide another's (a failed test restarts the worker and the rest still run).
type Role = "staff" | "support" | "admin";

interface EndUser {
  id: string;
  email: string;
  mobile: string;
  firstName?: string;
  middleName?: string;
  lastName?: string;
  businessName?: string;
}

interface Known {
  fixed: FixedSecret[];
  random: AnchorSet;
  keyIds: string[];
  pii: PiiSet;
  users: Map<string, EndUser>;
  tokens: number;
  blindIndexes: number;
}

// ---- what the test knows: secrets from the state dir and the data dir, tokens and users from the sandbox ----

async function sandboxJson<T>(pathname: string, token?: string): Promise<T> {
  const res = await fetch(`${sandboxUrl}${pathname}`, { headers: token ? { Authorization: `Bearer ${token}` } : {} });
  if (!res.ok) throw new Error(`sandbox ${pathname}: ${res.status}`);
  return (await res.json()) as T;
}

async function sandboxUsers(): Promise<EndUser[]> {
  const { ids } = await sandboxJson<{ ids: string[] }>("/__sandbox/users?limit=100000");
  const tokenRes = await fetch(`${sandboxUrl}/token`, {
    method: "POST",
    headers: { Authorization: "Basic sandbox-key", "basiq-version": "3.0", "Content-Type": "application/x-www-form-urlencoded" },
    body: "scope=SERVER_ACCESS",
  });
  const token = ((await tokenRes.json()) as { access_token: string }).access_token;
  const users: EndUser[] = [];
  for (let i = 0; i < ids.length; i += 20) {
    users.push(...(await Promise.all(ids.slice(i, i + 20).map((id) => sandboxJson<EndUser>(`/users/${id}`, token)))));
  }
  return users;
}

async function loadKnown(): Promise<Known> {
  const fixed: FixedSecret[] = [];
  fixed.push({ label: "build sentinel BASIQ_API_KEY", value: readFileSync(sentinelFile, "utf8").trim() });
  fixed.push({ label: "sandbox API key", value: "sandbox-key" });
  // Sandbox mode: the console generated its secrets into DATA_DIR/dev-secrets.json (lib/env.ts); serve.ts
  // recorded that DATA_DIR. Reading them here changes nothing in the product.
  const dataDir = readFileSync(dataDirFile, "utf8").trim();
  const dev = JSON.parse(readFileSync(path.join(dataDir, "dev-secrets.json"), "utf8")) as {
    authSecret: string;
    encryptionKey: string;
    blindIndexKey: string;
  };
  fixed.push({ label: "AUTH_SECRET", value: dev.authSecret });
  fixed.push({ label: "BASIQ_WEBHOOK_SECRET (sandbox mode)", value: consoleWebhookSecret() });
  fixed.push({ label: "ENCRYPTION_KEY", value: dev.encryptionKey });
  const keyId = dev.encryptionKey.slice(0, dev.encryptionKey.indexOf(":"));
  const encKey = Buffer.from(dev.encryptionKey.slice(keyId.length + 1), "base64");
  const blindKey = Buffer.from(dev.blindIndexKey, "base64");
  expect(encKey.length).toBe(32);
  expect(blindKey.length).toBe(32);
  fixed.push(...keyForms("ENCRYPTION_KEY", encKey), ...keyForms("BLIND_INDEX_KEY", blindKey));
  fixed.push(...keyForms("AUTH_SECRET", Buffer.from(dev.authSecret, "base64")));

  const random = new AnchorSet();
  const { tokens, dropped } = await sandboxJson<{ tokens: string[]; dropped: number }>("/__sandbox/tokens");
  // The console's own token is issued at start-up, so the list can never be empty.
  expect(tokens.length).toBeGreaterThan(0);
  // A token the sandbox dropped from its list (beyond its last 10,000) could not be looked for: fail, not skip it.
  expect(dropped, "tokens the sandbox dropped from GET /__sandbox/tokens (the crawl cannot look for them)").toBe(0);
  for (const t of tokens) random.add("issued access token", t.split(".")[2]!);

  const users = await sandboxUsers();
  const pii = new PiiSet();
  let blindIndexes = 0;
  const addIndex = (label: string, value: string) => {
    random.add(label, value);
    blindIndexes++;
  };
  for (const u of users) {
    pii.add(u.id, u.email, u.mobile);
    if (u.email) addIndex("blind index (email)", blindIndexOf("email", normaliseEmail(u.email), blindKey));
    const mobile = u.mobile ? normaliseMobile(u.mobile) : undefined;
    if (mobile) addIndex("blind index (mobile)", blindIndexOf("mobile", mobile, blindKey));
    for (const w of nameWordsOf(u.firstName, u.middleName, u.lastName, u.businessName)) {
      addIndex("blind index (name word)", blindIndexOf("name", w, blindKey));
    }
  }
  return {
    fixed,
    random,
    keyIds: [keyId],
    pii,
    users: new Map(users.map((u) => [u.id, u])),
    tokens: tokens.length,
    blindIndexes,
  };
}

// ---- capture: every response body the browser receives ----

interface Captured {
  url: string;
  kind: string;
  status: number;
  /** A server-action POST (carries a Next-Action header): the only place a revealed value may appear. */
  action: boolean;
  body: string;
}

function kindOf(request: Request, contentType: string): string {
  const url = new URL(request.url());
  const headers = request.headers();
  if (headers["next-action"]) return "server action";
  if (url.searchParams.has("_rsc") || headers.rsc === "1") return "rsc";
  if (request.resourceType() === "document") return "document";
  if (contentType.includes("javascript")) return "js";
  if (contentType.includes("css")) return "css";
  if (contentType.includes("json")) return "json";
  if (contentType.includes("csv")) return "csv";
  return contentType.split(";")[0] || request.resourceType();
}

interface Unreadable {
  what: string;
  method: string;
  url: string;
  kind: string;
  headers: Record<string, string>;
}

/** Request headers that decide what a GET answers (the RSC payload rather than the HTML, and which one). */
const VARYING_HEADERS = ["rsc", "next-router-state-tree", "next-router-prefetch", "next-router-segment-prefetch", "next-url", "accept"];

class Recorder {
  readonly bodies: Captured[] = [];
  /** Responses whose body Playwright could not hand over (e.g. a navigation replaced it). */
  readonly unreadable: Unreadable[] = [];
  /** Unreadable GETs fetched again with the same cookies and headers, and scanned. */
  readonly refetched: string[] = [];
  private pending: Promise<void>[] = [];

  constructor(context: BrowserContext, origin: string) {
    // A server action's reply that never completed was never scanned: it cannot be fetched again, so it fails the test.
    context.on("requestfailed", (request) => {
      if (!request.url().startsWith(origin) || !request.headers()["next-action"]) return;
      this.unreadable.push({ what: `action POST ${request.url().slice(origin.length)} (${request.failure()?.errorText ?? "failed"})`, method: "POST", url: request.url(), kind: "server action", headers: {} });
    });
    // requestfinished (not "response"): the body is complete, and aborted prefetches never count as read.
    context.on("requestfinished", (request) => {
      this.pending.push(
        (async () => {
          const response = await request.response();
          if (!response || !request.url().startsWith(origin)) return;
          if (response.status() >= 300 && response.status() < 400) return; // redirects have no body
          try {
            const body = (await response.body()).toString("utf8");
            const contentType = response.headers()["content-type"] ?? "";
            // allHeaders(): the headers as sent (headers() may be Chromium's provisional set, without next-action)
            const action = !!(await request.allHeaders())["next-action"];
            this.bodies.push({
              url: request.url().slice(origin.length),
              kind: action ? "server action" : kindOf(request, contentType),
              status: response.status(),
              action,
              body,
            });
          } catch {
            const headers = request.headers();
            this.unreadable.push({
              what: `${request.resourceType()} ${request.method()} ${request.url().slice(origin.length)}`,
              method: request.method(),
              url: request.url(),
              kind: kindOf(request, response.headers()["content-type"] ?? ""),
              headers: Object.fromEntries(VARYING_HEADERS.filter((h) => headers[h] !== undefined).map((h) => [h, headers[h]!])),
            });
          }
        })(),
      );
    });
  }

  /**
   * Fetch every unreadable GET again as the same browser context (same cookies, same RSC headers) and keep the body
   * for the scan. What is left (a POST cannot be repeated safely) stays in `unreadable`, and the test fails on it.
   */
  async refetchUnreadable(context: BrowserContext, origin: string): Promise<void> {
    await this.settle();
    const gets = this.unreadable.filter((u) => u.method === "GET");
    for (const u of gets) {
      const response = await context.request.get(u.url, { headers: u.headers, maxRedirects: 0 });
      this.bodies.push({
        url: u.url.slice(origin.length),
        kind: u.kind,
        status: response.status(),
        action: false,
        body: (await response.body()).toString("utf8"),
      });
      this.refetched.push(u.what);
    }
    this.unreadable.splice(0, this.unreadable.length, ...this.unreadable.filter((u) => u.method !== "GET"));
  }

  async settle(): Promise<void> {
    while (this.pending.length) {
      const batch = this.pending;
      this.pending = [];
      await Promise.all(batch);
    }
  }
}

// ---- the crawl ----

// Enough of each kind of page to cover its variants (statuses, methods, roles) without walking 300 users.
const LIMITS: Record<string, number> = { user: 5, connection: 5, job: 4, connector: 4, filtered: 3 };
/** Pages of one kind also fetched as a client navigation would (RSC: 1); the HTML already inlines the payload. */
const RSC_PER_KIND = 2;

function bucketOf(url: URL): string {
  const p = url.pathname;
  if (/^\/users\/[^/]+\/connections\/[^/]+$/.test(p)) return "connection";
  if (/^\/users\/[^/]+$/.test(p) && p !== "/users/import") return "user";
  if (/^\/jobs\/[^/]+$/.test(p) && p !== "/jobs/export") return "job";
  if (/^\/connectors\/[^/]+\/[^/]+$/.test(p)) return "connector";
  return url.search ? `filtered ${p}` : `page ${p}`;
}

/** Pages every role is sent to, whatever its nav shows: forbidden pages must leak nothing either. */
function seeds(users: EndUser[]): string[] {
  const someone = users[3]!;
  return [
    "/",
    "/users",
    "/users?status=active",
    "/users?status=invalid&sort=connections",
    "/users?sort=status&pageSize=50",
    "/users?sort=id&page=2",
    `/users?q=${encodeURIComponent(someone.lastName ?? "smith")}`,
    `/users?q=${encodeURIComponent(someone.id.slice(0, 8))}`,
    "/users/import",
    "/users/not-a-real-user",
    "/jobs",
    "/jobs?step=retrieve-accounts",
    "/connectors",
    "/connectors?status=major-outage",
    "/connectors?method=openbanking&sort=name",
    "/connectors?stage=beta&sort=failures",
    "/audit",
    "/audit?outcome=success",
    "/audit?action=pii.reveal",
    "/staff",
    "/does-not-exist",
  ];
}

/** Route handlers and exports, fetched by the page itself so they go through the browser like a download. */
function apiSeeds(jobIds: string[]): string[] {
  return [
    "/api/health",
    "/api/auth/session",
    "/api/auth/csrf",
    "/api/auth/providers",
    "/api/directory/sync",
    "/jobs/export",
    "/audit/export",
    "/audit/export?outcome=success",
    "/users/export", // every role: masked e-mails and mobiles (issue 18 item 10)
    ...jobIds.slice(0, LIMITS.job).map((id) => `/api/jobs/${encodeURIComponent(id)}`),
  ];
}

interface CrawlStats {
  pages: number;
  rscFetches: number;
  apiFetches: number;
  buckets: Record<string, number>;
}

async function inPageFetch(page: Page, url: string, headers: Record<string, string> = {}): Promise<number> {
  return page.evaluate(
    async ({ url, headers }) => {
      const res = await fetch(url, { headers, credentials: "same-origin" });
      await res.text();
      return res.status;
    },
    { url, headers },
  );
}

async function sameOriginLinks(page: Page, origin: string): Promise<string[]> {
  const hrefs = await page.$$eval("a[href]", (as) => as.map((a) => (a as HTMLAnchorElement).href));
  return hrefs
    .filter((h) => h.startsWith(origin))
    .map((h) => h.slice(origin.length).split("#")[0]!)
    .filter((h) => h && !h.startsWith("/login") && !h.startsWith("/api/auth/signout"));
}

async function crawl(page: Page, origin: string, start: string[], recorder: Recorder): Promise<CrawlStats> {
  const stats: CrawlStats = { pages: 0, rscFetches: 0, apiFetches: 0, buckets: {} };
  const queue = [...start];
  const seen = new Set<string>();
  const jobIds = new Set<string>();
  while (queue.length) {
    const target = queue.shift()!;
    if (seen.has(target)) continue;
    seen.add(target);
    const url = new URL(target, origin);
    if (/^\/(jobs|audit|users)\/export$/.test(url.pathname)) continue; // downloads: fetched with the API seeds
    const bucket = bucketOf(url);
    const limit = bucket.startsWith("page ") ? Infinity : (LIMITS[bucket.split(" ")[0]!] ?? 1);
    if ((stats.buckets[bucket] ?? 0) >= limit) continue;
    stats.buckets[bucket] = (stats.buckets[bucket] ?? 0) + 1;
    if (bucket === "job") jobIds.add(decodeURIComponent(url.pathname.split("/")[2]!));

    await page.goto(target);
    await page.waitForLoadState("load");
    await page.waitForTimeout(150); // viewport prefetches (RSC) start after hydration
    stats.pages++;
    // The same page as a client-side navigation would fetch it (a full RSC payload).
    if (bucket.startsWith("page ") || stats.buckets[bucket]! <= RSC_PER_KIND) {
      await inPageFetch(page, target, { RSC: "1" });
      stats.rscFetches++;
    }
    for (const link of await sameOriginLinks(page, origin)) if (!seen.has(link)) queue.push(link);
    await recorder.settle();
  }
  for (const api of apiSeeds([...jobIds])) {
    await inPageFetch(page, api);
    stats.apiFetches++;
  }
  await recorder.settle();
  return stats;
}

/** Real client navigation through the sidebar and into a row (RSC fetches with ?_rsc=, as a person clicks). */
async function clickThrough(page: Page): Promise<number> {
  await page.goto("/");
  const nav = page.getByRole("navigation", { name: "Main" });
  const labels = await nav.getByRole("link").allTextContents();
  for (const label of labels) {
    await nav.getByRole("link", { name: label, exact: true }).click();
    await expect(nav.getByRole("link", { name: label, exact: true })).toHaveAttribute("aria-current", "page");
  }
  await nav.getByRole("link", { name: "Users", exact: true }).click();
  await page.locator("table a[href^='/users/']").first().click();
  await expect(page.getByTestId("last-synced")).toBeVisible();
  return labels.length + 2;
}

// ---- assertions ----

function secretFindings(known: Known, c: Captured): Finding[] {
  return [...scanFixed(c.body, known.fixed), ...known.random.scan(c.body), ...scanCiphertexts(c.body, known.keyIds), ...scanRawRows(c.body)];
}

function describeFindings(findings: { where: string; what: string; near: string }[]): string {
  const counts = new Map<string, number>();
  for (const f of findings) {
    const kind = f.what.replace(/ of end user .*/, "");
    counts.set(kind, (counts.get(kind) ?? 0) + 1);
  }
  const head = [...counts].map(([what, n]) => `${n}× ${what}`).join(", ");
  const examples = findings.slice(0, 15).map((f) => `  ${f.what} in ${f.where}: …${f.near}…`);
  return [`${findings.length} leak(s): ${head}`, ...examples].join("\n");
}

let known: Known;
const summary: Record<string, unknown> = {};

test.beforeAll(async () => {
  known = await loadKnown();
});

test.afterAll(() => {
  console.log(`leak crawl summary: ${JSON.stringify(summary, null, 2)}`);
});

for (const role of ["staff", "support", "admin"] as const satisfies readonly Role[]) {
  test(`${role}: no secret, ciphertext or blind index in any response${role === "support" ? "; PII only in the audited reveal" : "; no unmasked PII"}`, async ({ browser, baseURL }) => {
    test.setTimeout(600_000); // ~1 min per role on a quiet machine; CI runners share CPUs
    const origin = new URL(baseURL!).origin;
    const context = await browser.newContext({ storageState: storageStateOf(role) });
    const recorder = new Recorder(context, origin);
    const page = await context.newPage();

    const clicks = await clickThrough(page);
    const users = [...known.users.values()];
    const stats = await crawl(page, origin, seeds(users), recorder);

    // Support reveals one user's e-mail and mobile: the only unmasked values any role may receive.
    let revealed: EndUser | undefined;
    if (role === "support") {
      revealed = known.users.get(users[5]!.id)!;
      // Each reply is waited for to its end: the value shows while the action's stream may still be open, and a
      // reload then would abort it before the recorder could read (and scan) it.
      for (const [button, value] of [["Reveal e-mail", revealed.email], ["Reveal mobile", revealed.mobile]] as const) {
        // Each reveal on a freshly loaded page, and the wait for the reply's end bounded: in one CI run the second
        // reveal's reply on the same page (200 in 30 ms, its value on screen) never had its end reported by
        // Chromium, and an unbounded finished() held the test until its 10-minute timeout.
        await page.goto(`/users/${revealed.id}`);
        // (The action posts to the page's own URL; matched on that, not on a request header Chromium may report late.)
        const replied = page.waitForResponse((r) => r.request().method() === "POST" && new URL(r.url()).pathname === `/users/${revealed!.id}`, { timeout: 60_000 });
        await page.getByRole("button", { name: button }).click();
        const response = await replied;
        const ended = await Promise.race([
          response.finished(),
          new Promise<string>((resolve) => setTimeout(() => resolve("its end was not reported within 30 s"), 30_000)),
        ]);
        expect(ended, `${button}: the reply's body arrived`).toBeNull();
        await expect(page.getByText(value, { exact: true })).toBeVisible();
      }
      // after the reveal, the audit-bearing pages and the same user again (client state only, not re-sent)
      await page.reload();
      await recorder.settle();
    }
    await recorder.refetchUnreadable(context, origin);
    await context.close();
    await recorder.settle();

    const bodies = recorder.bodies;
    const byKind: Record<string, number> = {};
    for (const b of bodies) byKind[b.kind] = (byKind[b.kind] ?? 0) + 1;
    const bytes = bodies.reduce((n, b) => n + b.body.length, 0);
    const unreadable = recorder.unreadable.map((u) => u.what);
    summary[role] = { ...stats, clickNavigations: clicks, responses: bodies.length, refetched: recorder.refetched, unreadable, bytes, byKind };
    console.log(
      `${role}: ${stats.pages} pages, ${bodies.length} responses (${JSON.stringify(byKind)}), ${(bytes / 1e6).toFixed(1)} MB, ` +
        `${recorder.refetched.length} unreadable GETs fetched again and scanned, ${unreadable.length} unreadable ${JSON.stringify(unreadable)}`,
    );
    // Every response of every type is scanned: a body that could not be read (and not fetched again) is a
    // response nobody checked.
    expect(unreadable, "responses whose body was neither readable nor fetched again").toEqual([]);

    // The crawl reached what it should (so a quiet result means something).
    expect(stats.buckets.user ?? 0, "user detail pages crawled").toBeGreaterThanOrEqual(3);
    expect(stats.buckets.connection ?? 0, "connection pages crawled").toBeGreaterThanOrEqual(3);
    expect(stats.buckets.connector ?? 0, "connector pages crawled").toBeGreaterThanOrEqual(3);
    expect(byKind.rsc ?? 0, "RSC payloads captured").toBeGreaterThan(stats.pages);
    expect(byKind.js ?? 0, "JS chunks captured").toBeGreaterThan(5);
    expect(byKind.document ?? 0).toBeGreaterThanOrEqual(stats.pages);
    if (role !== "staff") expect(byKind.csv ?? 0, "CSV exports captured").toBeGreaterThanOrEqual(1);

    const leaks: { where: string; what: string; near: string }[] = [];
    let revealSeen = 0;
    const scanned = new Set<string>(); // cached JS/CSS chunks arrive on every page: scan each distinct body once
    for (const c of bodies) {
      const digest = createHash("sha256").update(c.body).digest("base64");
      if (!c.action && scanned.has(digest)) continue;
      scanned.add(digest);
      const where = `${c.kind} ${c.url} (${c.status})`;
      for (const f of secretFindings(known, c)) leaks.push({ where, ...f });
      for (const hit of known.pii.find(c.body)) {
        if (revealed && c.action && hit.owner === revealed.id) {
          revealSeen++;
          continue;
        }
        leaks.push({ where, what: `unmasked ${hit.kind} of end user ${hit.owner}`, near: hit.near });
      }
    }
    (summary[role] as Record<string, unknown>).distinctBodiesScanned = scanned.size;
    expect(leaks.length, describeFindings(leaks)).toBe(0);
    // The scanner saw the reveal replies: it would have seen the values anywhere else too.
    if (role === "support") expect(revealSeen, "revealed e-mail and mobile found in the server-action replies").toBeGreaterThanOrEqual(2);
  });
}

test("the server log of the whole run holds no token, key, Authorization value or end user's e-mail/mobile", async () => {
  // Reloaded: the crawl above may have made the console fetch a new token.
  const fresh = await loadKnown();
  const text = readFileSync(serverLogFile, "utf8");
  const lines = text.split("\n").filter(Boolean);
  expect(lines.length, "the server log captured the run").toBeGreaterThan(5);
  const leaks: { where: string; what: string; near: string }[] = [];
  const names = [...fresh.users.values()]
    .filter((u) => u.firstName && u.lastName)
    .map((u) => ({ id: u.id, full: `${u.firstName} ${u.lastName}` }));
  lines.forEach((line, i) => {
    const where = `server.log line ${i + 1}`;
    const findings = [
      ...scanFixed(line, fresh.fixed),
      ...fresh.random.scan(line),
      ...scanCiphertexts(line, fresh.keyIds),
      ...scanRawRows(line),
      ...fresh.pii.find(line).map((h) => ({ what: `${h.kind} of end user ${h.owner}`, near: h.near })),
      ...names.filter((n) => line.includes(n.full)).map((n) => ({ what: `name of end user ${n.id}`, near: "" })),
    ];
    for (const f of findings) leaks.push({ where, ...f });
  });
  // Staff e-mails: the log identifies people by id (audit lines carry actorId); the e-mail is in the audit table.
  const addresses = [...text.matchAll(/[A-Za-z0-9._%+'-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+/g)].map((m) => m[0]);
  for (const a of addresses) leaks.push({ where: "server.log", what: "an e-mail address", near: a.replace(/^(.).*@/, "$1•••@") });
  summary.log = { lines: lines.length, bytes: text.length, tokensKnown: fresh.tokens, blindIndexesKnown: fresh.blindIndexes, usersKnown: fresh.users.size };
  console.log(`server log: ${lines.length} lines scanned against ${fresh.tokens} tokens, ${fresh.blindIndexes} blind indexes, ${fresh.users.size} users`);
  expect(leaks.length, describeFindings(leaks)).toBe(0);
});
