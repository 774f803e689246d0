// Malformed input over HTTP against the built console (SECURITY.md BL-1), as admin (the most permissive role):
// garbage path segments for every parameterised page and route, garbage search params for the list pages and
// exports, and garbage arguments POSTed straight to every server action by its id. Never a 500, never a stack
// trace, and malformed ids are refused before any Basiq call (/__sandbox/stats unchanged). Runs alone, after the
// ordinary specs (its own project), so the sandbox's counters are its own.
import { readFileSync } from "node:fs";
import path from "node:path";

import { expect, request as playwrightRequest, test, type APIRequestContext } from "@playwright/test";

import { contracts, htmlFragments, malformedIds, pathFragments, randomStrings, sqlFragments, unicodeStrings, wrongTypes, type FuzzValue } from "../test/fuzz/corpus";

import { storageStateOf } from "./paths";
import { activeSandboxConnection, sandboxPersonas, sandboxStats } from "./sandbox-client";

const baseURL = `http://localhost:${process.env.E2E_PORT ?? "3100"}`;
const STACK = /\n\s+at [^\n]+:\d+:\d+|node_modules\/|webpack-internal:|\.next\/server\//;
const CONCURRENCY = 8;
const totals = new Map<string, number>();

interface Probe {
  group: string;
  label: string;
  send: (api: APIRequestContext) => Promise<{ status: number; body: string }>;
  /** Status codes this probe may answer; by default any below 500. */
  expected?: number[];
}

async function runAll(api: APIRequestContext, probes: Probe[]): Promise<string[]> {
  const problems: string[] = [];
  let next = 0;
  const worker = async () => {
    while (next < probes.length) {
      const p = probes[next++]!;
      totals.set(p.group, (totals.get(p.group) ?? 0) + 1);
      try {
        const { status, body } = await p.send(api);
        if (status >= 500) problems.push(`${p.group} [${p.label}]: HTTP ${status}`);
        else if (p.expected && !p.expected.includes(status)) problems.push(`${p.group} [${p.label}]: HTTP ${status}, expected ${p.expected.join("/")}`);
        if (STACK.test(body)) problems.push(`${p.group} [${p.label}]: stack trace in the body`);
      } catch (e) {
        problems.push(`${p.group} [${p.label}]: ${(e as Error).message.split("\n")[0]}`);
      }
    }
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, worker));
  return problems;
}

/**
 * The reads webhook processing makes the console do (lib/webhooks/process.ts: the event, then the user's directory
 * entry and jobs). The sandbox keeps delivering earlier specs' events on Basiq's retry schedule while the fuzz runs,
 * and the console retries stored deliveries it could not process: those reads are not the fuzz's.
 */
const WEBHOOK_READS = ["GET /events/{eventId}", "GET /users/{userId}", "GET /users/{userId}/connections", "GET /users/{userId}/jobs"];

/** Requests to Basiq between two readings, but for the connector scheduler's background refresh, the token and webhook processing. */
function basiqCalls(before: Record<string, number>, after: Record<string, number>): Record<string, number> {
  const background = new Set(["GET /connectors", "POST /token"]);
  const delta = (k: string) => (after[k] ?? 0) - (before[k] ?? 0);
  // Webhook processing (a delivery, or the console's periodic retry of a stored one) starts with
  // GET /events/{eventId}, which nothing fuzzed makes, then reads at most one of each WEBHOOK_READS per event.
  const processed = delta("GET /events/{eventId}");
  const explained = (k: string) => processed > 0 && WEBHOOK_READS.includes(k) && delta(k) <= processed;
  return Object.fromEntries(Object.keys(after).filter((k) => !background.has(k) && delta(k) !== 0 && !explained(k)).map((k) => [k, delta(k)]));
}

const get = (url: string) => async (api: APIRequestContext) => {
  const res = await api.get(url, { maxRedirects: 0, timeout: 20_000 });
  return { status: res.status(), body: await res.text() };
};

/** Malformed path-segment values (strings only: a URL carries nothing else), encoded as a browser would. */
function segments(valid: string, seed: number, isWellFormed: (v: string) => boolean): FuzzValue[] {
  const values: FuzzValue[] = [
    ...[...unicodeStrings(valid), ...sqlFragments, ...htmlFragments, ...pathFragments, ...malformedIds(valid), ...randomStrings(seed, 30)].map((v) => ({
      label: v.label,
      value: encodeURIComponent(String(v.value).toWellFormed()),
    })),
    ...["%00", "%E2%80%AE", "..%2F..%2Fetc%2Fpasswd", "%2e%2e", "a%0d%0aSet-Cookie:x", "x".repeat(4000) + "%27"].map((raw) => ({ label: `raw ${raw.slice(0, 30)}`, value: raw })),
    { label: "8 KiB", value: `${"y".repeat(8192)}'` },
  ];
  return values.filter((v) => {
    let decoded: string;
    try {
      decoded = decodeURIComponent(String(v.value));
    } catch {
      return true;
    }
    return !isWellFormed(decoded) && decoded !== "." && decoded !== ".." && decoded !== "" && !decoded.includes("/");
  });
}

/** Every server action in the build: its id, name, and a page path that bundles it. */
function serverActions(target: { userId: string; connectionId: string }, jobId: string) {
  const manifest = JSON.parse(readFileSync(path.join(process.cwd(), ".next/server/server-reference-manifest.json"), "utf8")) as {
    node: Record<string, { workers: Record<string, unknown>; exportedName?: string; filename?: string }>;
  };
  const actions = Object.entries(manifest.node).map(([id, entry]) => {
    // A page that bundles the action: the request is routed there and the action run by its id.
    const worker = Object.keys(entry.workers).find((w) => w.endsWith("/page")) ?? Object.keys(entry.workers)[0]!;
    const route =
      worker
        .replace(/^app/, "")
        .replace(/\/\([^)]+\)/g, "")
        .replace(/\/page$/, "")
        .replace("[userId]", target.userId)
        .replace("[connectionId]", target.connectionId)
        .replace("[jobId]", jobId)
        .replace("[connectorId]", "AU00001")
        .replace("[method]", "openbanking") || "/";
    return { id, name: entry.exportedName ?? id.slice(0, 8), route };
  });
  return actions;
}

const actionHeaders = (id: string) => ({ "Next-Action": id, Origin: baseURL, "Content-Type": "text/plain;charset=UTF-8", Accept: "text/x-component" });

test.describe("malformed input over HTTP (BL-1)", () => {
  test.describe.configure({ mode: "serial" });
  let admin: APIRequestContext;
  let anonymous: APIRequestContext;
  let target: { userId: string; connectionId: string };
  let jobId: string;

  test.beforeAll(async () => {
    admin = await playwrightRequest.newContext({ baseURL, storageState: storageStateOf("admin") });
    anonymous = await playwrightRequest.newContext({ baseURL });
    target = await activeSandboxConnection(200);
    jobId = (await sandboxPersonas()).find((p) => p.failedJobId)?.failedJobId ?? "job-1";
    // The session works (otherwise every probe below would only meet the sign-in redirect).
    expect((await admin.get(`/users/${target.userId}`, { maxRedirects: 0 })).status()).toBe(200);
  });
  test.afterAll(async () => {
    await admin?.dispose();
    await anonymous?.dispose();
    console.log(`HTTP fuzz cases (BL-1):\n${[...totals].map(([g, n]) => `  ${g.padEnd(48)} ${n}`).join("\n")}\n  ${"total".padEnd(48)} ${[...totals.values()].reduce((a, b) => a + b, 0)}`);
  });

  test("parameterised pages and routes: malformed path segments → no 500, no Basiq call", async () => {
    test.setTimeout(300_000);
    const id = (v: string) => contracts.opaqueId(v);
    const connector = (v: string) => /^[A-Z]{2}\d{5}$/.test(v);
    const method = (v: string) => /^[a-z-]{2,20}$/.test(v);
    const probes: Probe[] = [];
    const add = (group: string, values: FuzzValue[], url: (seg: string) => string, expected = [400, 404, 414, 431]) => {
      for (const v of values) probes.push({ group, label: v.label, send: get(url(String(v.value))), expected });
    };
    add("/users/[userId]", segments(target.userId, 1, id), (s) => `/users/${s}`);
    add("/users/[userId]/connections/[connectionId] (userId)", segments(target.userId, 2, id), (s) => `/users/${s}/connections/${target.connectionId}`);
    add("/users/[userId]/connections/[connectionId] (connectionId)", segments(target.connectionId, 3, id), (s) => `/users/${target.userId}/connections/${s}`);
    add("/jobs/[jobId]", segments(jobId, 4, id), (s) => `/jobs/${s}`);
    add("/api/jobs/[jobId]", segments(jobId, 5, id), (s) => `/api/jobs/${s}`);
    add("/connectors/[connectorId]/[method] (connectorId)", segments("AU00001", 6, connector), (s) => `/connectors/${s}/openbanking`);
    add("/connectors/[connectorId]/[method] (method)", segments("openbanking", 7, method), (s) => `/connectors/AU00001/${s}`);
    const before = await sandboxStats();
    const problems = await runAll(admin, probes);
    expect(problems.slice(0, 30), `${problems.length} problem(s)`).toEqual([]);
    expect(basiqCalls(before, await sandboxStats()), "malformed ids reached Basiq").toEqual({});
  });

  // A malformed percent-escape in a dynamic segment: Next's router answered 500 before any console code ran;
  // proxy.ts now answers 400 (issue 14; was a test.fail() pin).
  test("malformed percent-escapes in a dynamic segment → 400 from proxy.ts", async () => {
    const probes: Probe[] = ["%zz", "%", "%ff", "%ED%A0%80"].flatMap((raw) =>
      [`/users/${raw}`, `/jobs/${raw}`, `/api/jobs/${raw}`, `/users/${target.userId}/connections/${raw}`].map((url) => ({ group: "malformed escapes", label: url, send: get(url), expected: [400, 404] })),
    );
    expect(await runAll(admin, probes)).toEqual([]);
  });

  test("list pages and exports: malformed search params → no 500; exports refuse them; nothing sent to Basiq but reads", async () => {
    // Six list pages now (/consents joined, and the error and audit logs' `after` cursor): ~2,200 probes.
    test.setTimeout(480_000);
    const values: FuzzValue[] = [...unicodeStrings("x"), ...sqlFragments, ...htmlFragments, ...pathFragments.slice(0, 8), ...randomStrings(11, 20), ...wrongTypes("x").slice(0, 12)].map((v) => ({
      label: v.label,
      value: String(v.value).toWellFormed(),
    }));
    const pages: [string, string[]][] = [
      ["/users", ["q", "status", "institution", "sort", "page", "pageSize"]],
      ["/jobs", ["code", "step", "institution", "userId", "from", "to", "before", "after"]],
      ["/audit", ["actor", "action", "outcome", "userId", "connectionId", "jobId", "from", "to", "before", "after"]],
      ["/connectors", ["q", "status", "stage", "method", "sort"]],
      ["/staff", ["q", "page"]],
      ["/consents", ["userId", "within", "sort", "dir", "page"]],
    ];
    const probes: Probe[] = [];
    for (const [page, keys] of pages) {
      keys.forEach((key, k) => {
        // Every value for the first two keys; a sample for the rest (each key has the same parser shape).
        for (const v of values.filter((_v, i) => k < 2 || i % 4 === k % 4)) {
          probes.push({ group: `${page}?…`, label: `${key}=${v.label}`, send: get(`${page}?${new URLSearchParams({ [key]: String(v.value) })}`), expected: [200] });
        }
      });
      probes.push({ group: `${page}?…`, label: "raw garbage query", send: get(`${page}?%zz&&=&${"k".repeat(3000)}=1&page=-1&page=1e99&__proto__[x]=1`), expected: [200, 400] });
    }
    const exportKeys: [string, string[]][] = [
      ["/jobs/export", ["code", "step", "institution", "userId", "from", "to"]],
      ["/audit/export", ["actor", "action", "outcome", "userId", "connectionId", "jobId", "from", "to"]],
    ];
    for (const [route, keys] of exportKeys) {
      for (const key of keys) {
        for (const v of values.filter((x) => String(x.value).trim() !== "" && !/^[A-Za-z0-9_.:-]{1,64}$/.test(String(x.value).trim()) && !contracts.maybeEmail(x.value))) {
          probes.push({ group: `${route}?…`, label: `${key}=${v.label}`, send: get(`${route}?${new URLSearchParams({ [key]: String(v.value) })}`), expected: [400] });
        }
      }
    }
    for (const route of ["/api/directory/sync", "/api/jobs/sweep"]) {
      for (const v of values.slice(0, 30)) probes.push({ group: `${route}?…`, label: v.label, send: get(`${route}?q=${encodeURIComponent(String(v.value))}`), expected: [200] });
    }
    const before = await sandboxStats();
    const problems = await runAll(admin, probes);
    expect(problems.slice(0, 30), `${problems.length} problem(s)`).toEqual([]);
    const after = await sandboxStats();
    // /connectors lists connectors from Basiq whatever its filters say; nothing else may reach Basiq, and nothing
    // that writes (webhook processing meanwhile explains its own reads, never a write).
    expect(basiqCalls(before, after)).toEqual({});
  });

  test("next-auth routes: garbage paths and bodies without a CSRF token → no 500", async () => {
    const probes: Probe[] = [];
    for (const v of [...sqlFragments, ...htmlFragments, ...unicodeStrings("x").slice(0, 15)]) {
      const seg = encodeURIComponent(String(v.value).toWellFormed());
      probes.push({ group: "/api/auth/[...nextauth] GET", label: v.label, send: get(`/api/auth/${seg}`) });
      probes.push({
        group: "/api/auth/[...nextauth] POST",
        label: v.label,
        send: async (api) => {
          const res = await api.post("/api/auth/callback/credentials", { form: { email: String(v.value), password: String(v.value) }, maxRedirects: 0 });
          return { status: res.status(), body: await res.text() };
        },
      });
    }
    const problems = await runAll(anonymous, probes);
    expect(problems.slice(0, 30), `${problems.length} problem(s)`).toEqual([]);
  });

  test("every server action, POSTed by id with garbage arguments → no 500, no Basiq call", async () => {
    test.setTimeout(300_000);
    const actions = serverActions(target, jobId);
    expect(actions.length).toBeGreaterThanOrEqual(12);
    const args: FuzzValue[] = [
      ...[...wrongTypes("x").slice(0, 20), ...sqlFragments.slice(0, 8), ...htmlFragments.slice(0, 5), ...unicodeStrings("x").slice(0, 8)].map((v) => ({ label: v.label, value: [v.value] })),
      { label: "no argument", value: [] },
      { label: "two garbage arguments", value: [{ message: null }, "not a form"] },
      { label: "ids with quotes", value: [{ userId: "' OR 1=1", connectionId: "<x>", confirm: "<x>", staffId: "x'", role: "root", status: "gone", text: "'\n\"", email: "x", name: "\u0000", password: 1 }] },
      { label: "__proto__ payload", value: [JSON.parse('{"__proto__":{"role":"admin"}}') as unknown] },
      { label: "deep nesting", value: [JSON.parse(`${"[".repeat(500)}${"]".repeat(500)}`) as unknown] },
    ];
    const probes: Probe[] = [];
    for (const a of actions) {
      // Signing the admin out would end the session the next specs use: sign-out is fuzzed anonymously.
      const api = /signOut/i.test(a.name) ? anonymous : admin;
      for (const v of args) {
        const body = (() => {
          try {
            return JSON.stringify(v.value, (_k, x: unknown) => (typeof x === "bigint" || typeof x === "symbol" || typeof x === "function" ? String(x) : x));
          } catch {
            return "[]";
          }
        })();
        // `[{}]` is the valid call of the actions without fields, and so is `[{"__proto__": …}]`: React's reply
        // decoder drops a `__proto__` key, so the action receives `{}` (which is the point of dropping it).
        if (body === "[{}]" || (/^(startSweep|startDirectorySync|refreshConnectors)Action$/.test(a.name) && v.label === "__proto__ payload")) continue;
        probes.push({
          group: `action ${a.name}`,
          label: v.label,
          send: async () => {
            const res = await api.post(a.route, {
              headers: actionHeaders(a.id),
              data: body,
              maxRedirects: 0,
              timeout: 20_000,
            });
            return { status: res.status(), body: await res.text() };
          },
        });
      }
    }
    const before = await sandboxStats();
    const problems = await runAll(admin, probes);
    expect(problems.slice(0, 30), `${problems.length} problem(s)`).toEqual([]);
    expect(basiqCalls(before, await sandboxStats()), "a garbage action call reached Basiq").toEqual({});
  });

  // A foreign Origin on an action: Next answered 500 and nothing was audited; proxy.ts drops the foreign Origin and
  // every action refuses a missing one (defineAction: a 403 result, audited when signed in). Issue 14 item 5.
  test("a foreign Origin on any action → a clear refusal, never a 500, nothing reaches Basiq", async () => {
    const before = await sandboxStats();
    const probes: Probe[] = serverActions(target, jobId)
      .filter((a) => !/signOut/i.test(a.name))
      .map((a) => ({
        group: "foreign Origin",
        label: a.name,
        expected: [200],
        send: async (api: APIRequestContext) => {
          const res = await api.post(a.route, {
            headers: { ...actionHeaders(a.id), Origin: "https://evil.example" },
            data: JSON.stringify([{ userId: target.userId, connectionId: target.connectionId, confirm: target.connectionId, staffId: "x" }]),
            maxRedirects: 0,
            timeout: 20_000,
          });
          const body = await res.text();
          // Two public actions refuse in silence: ssoSignIn (a form action: nothing to show, it just does not
          // start a sign-in) and viewInvitation (answers null, as for an unknown link). Refused = no redirect.
          if (/^(ssoSignIn|viewInvitation)Action$/.test(a.name)) return { status: res.headers()["x-action-redirect"] ? 599 : res.status(), body };
          return { status: /did not come from the console/.test(body) ? res.status() : 599, body };
        },
      }));
    expect(await runAll(admin, probes)).toEqual([]);
    expect(basiqCalls(before, await sandboxStats()), "a foreign-origin action call reached Basiq").toEqual({});
  });

  // Server-action bodies Next cannot decode (not JSON, flight references to chunks that were never sent) and bodies
  // over its 1 MB limit, for every action alike: Next answered 500; proxy.ts now answers 400/413 (issue 14; was a
  // test.fail() pin).
  test("undecodable or oversized server-action bodies → 400/413 from proxy.ts", async () => {
    const bodies: [string, string][] = [
      ["body not JSON", "{not json"],
      ["flight-encoded references", JSON.stringify(["$@0", "$K1", "$Q2", "$D2026", "$n1"])],
      ["1 MB argument", JSON.stringify(["z".repeat(1024 * 1024)])],
    ];
    const expected = (label: string) => (label === "1 MB argument" ? [413] : [400]);
    const probes: Probe[] = serverActions(target, jobId)
      .filter((a) => !/signOut/i.test(a.name))
      .flatMap((a) =>
        bodies.map(([label, data]) => ({
          group: `undecodable action ${a.name}`,
          label,
          expected: expected(label),
          send: async (api: APIRequestContext) => {
            const res = await api.post(a.route, { headers: actionHeaders(a.id), data, maxRedirects: 0, timeout: 20_000 });
            return { status: res.status(), body: await res.text() };
          },
        })),
      );
    expect(await runAll(admin, probes)).toEqual([]);
  });
});
