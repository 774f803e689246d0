// Input fuzzing of the route handlers (SECURITY.md BL-1): GET called with `new Request(...)` carrying malformed
// path parameters and query strings. Every case: no 5xx, a JSON error naming the problem, no table changed, no
// request to Basiq (a well-formed but unknown job id may cost the read-only lookup, a GET). Export routes refuse a
// filter they cannot read instead of silently exporting everything.
import { afterAll, beforeAll, describe as group, expect, it, vi } from "vitest";

import type { Role } from "@/lib/auth/policy";
import type { CurrentStaff } from "@/lib/auth/session";
import { CONNECTION_STATUSES } from "@/lib/vocabulary";

import { malformedIds, nearValidIds, stringCorpus, type FuzzValue } from "./corpus";
import {
  changedTables,
  classify,
  contracts,
  fingerprint,
  sandboxStats,
  STACK_TRACE,
  startWorld,
  statsDiff,
  type Expectation,
  type World,
} from "./harness";
import { actAs } from "@/test/session-mock";

vi.mock("@/lib/auth/session", async () => (await import("@/test/session-mock")).mockedSessionModule());
vi.mock("next/headers", () => ({
  headers: async () => new Headers({ host: "console.test", "user-agent": "fuzz" }),
  cookies: async () => ({ get: () => undefined, getAll: () => [], has: () => false }),
}));

let world: World;
const totals = new Map<string, number>();

interface RouteCase {
  label: string;
  expect: Expectation;
  role: Role | null;
  call: () => Promise<Response>;
}

function as(role: Role | null): CurrentStaff | null {
  return role ? { id: "00000000-0000-4000-8000-00000000000" + { admin: 1, support: 2, staff: 3 }[role], email: `${role}@corp.example`, name: role, role, signedInAt: Date.now() } : null;
}

async function check(route: string, cases: RouteCase[]): Promise<string[]> {
  const problems: string[] = [];
  const db0 = await fingerprint(world);
  const s0 = await sandboxStats(world);
  let wellFormed = false;
  for (const c of cases) {
    actAs(as(c.role));
    wellFormed ||= c.expect === "well-formed";
    let res: Response;
    try {
      res = await c.call();
    } catch (e) {
      problems.push(`${route} [${c.label}]: threw ${(e as Error)?.message ?? String(e)}`);
      continue;
    }
    const body = await res.text();
    if (res.status >= 500) problems.push(`${route} [${c.label}]: HTTP ${res.status}`);
    else if (res.status < 400) problems.push(`${route} [${c.label}]: not refused (HTTP ${res.status})`);
    else {
      let error: unknown;
      try {
        error = (JSON.parse(body) as { error?: unknown }).error;
      } catch {
        error = undefined;
      }
      if (typeof error !== "string" || !error.trim()) problems.push(`${route} [${c.label}]: HTTP ${res.status} without a JSON error: ${body.slice(0, 80)}`);
    }
    if (STACK_TRACE.test(body)) problems.push(`${route} [${c.label}]: stack trace in the body`);
  }
  const tables = changedTables(db0, await fingerprint(world));
  const calls = statsDiff(s0, await sandboxStats(world));
  const bad = Object.keys(calls).filter((k) => !wellFormed || !k.startsWith("GET "));
  if (tables.length) problems.push(`${route}: changed ${tables.join(", ")}`);
  if (bad.length) problems.push(`${route}: called Basiq ${JSON.stringify(calls)}`);
  return problems;
}

/** Each value in turn as one query parameter (the rest of the URL valid), encoded as a browser would. */
function queryCases(
  handler: (r: Request) => Promise<Response>,
  path: string,
  key: string,
  values: { label: string; value: unknown; expect: Expectation }[],
  role: Role | null = "admin",
): RouteCase[] {
  return values.map((v) => ({
    label: `${role ?? "anonymous"} ${key}: ${v.label}`,
    expect: v.expect,
    role,
    call: () => handler(new Request(`http://console.test${path}?${new URLSearchParams({ [key]: String(v.value) }).toString()}`)),
  }));
}

/** Query strings that are garbage as a whole, each with at least one unreadable known filter. */
function rawQueryCases(handler: (r: Request) => Promise<Response>, path: string, key: string): RouteCase[] {
  const raw = [
    `${key}=%zz`,
    `${key}=%`,
    `${key}=%00`,
    `${key}=%E2%80%AE`,
    `${key}=%ED%A0%80`,
    `${key}=a%0d%0aSet-Cookie:%20x=1`,
    `${key}=<script>`,
    `${key}='--&${key}=ok`,
    `${key}[]=x&${key}=%27`,
    `${key}=${"%41".repeat(20000)}%27`,
    `&&&${key}=;&&`,
    `${key}=+++'`,
    `${encodeURIComponent(key)}=${encodeURIComponent("' OR 1=1")}&__proto__[role]=admin`,
  ];
  return raw.map((q, i) => ({ label: `raw query #${i}`, expect: "malformed" as const, role: "admin" as const, call: () => handler(new Request(`http://console.test${path}?${q}`)) }));
}

const strings = (valid: string, seed: number): FuzzValue[] => stringCorpus(valid, seed, 40);

beforeAll(async () => {
  world = await startWorld();
}, 120_000);

afterAll(async () => {
  const lines = [...totals].map(([name, n]) => `  ${name.padEnd(22)} ${n}`);
  const sum = [...totals.values()].reduce((a, b) => a + b, 0);
  console.log(`route-handler fuzz cases (BL-1):\n${lines.join("\n")}\n  ${"total".padEnd(22)} ${sum}`);
  await world?.close();
});

group("route handlers refuse malformed parameters without side effects (BL-1)", () => {
  it("GET /api/jobs/[jobId]", async () => {
    const { GET } = await import("@/app/api/jobs/[jobId]/route");
    const valid = world.jobId ?? "job-1234abcd";
    const values = classify(
      [...strings(valid, 101), ...malformedIds(valid), ...nearValidIds(valid), { label: "a user id", value: world.target.userId }, { label: "a connection id", value: world.target.connectionId }].filter(
        (v) => typeof v.value === "string" && v.value.trim() !== valid,
      ),
      contracts.opaqueId,
      true,
    );
    const call = (jobId: string) => () => GET(new Request(`http://console.test/api/jobs/${encodeURIComponent(jobId.toWellFormed())}`), { params: Promise.resolve({ jobId }) });
    const cases: RouteCase[] = [
      ...values.map((v) => ({ label: `jobId: ${v.label}`, expect: v.expect, role: "admin" as const, call: call(v.value as string) })),
      ...(["staff", null] as const).flatMap((role) => values.filter((_v, i) => i % 10 === 0).map((v) => ({ label: `${role} jobId: ${v.label}`, expect: "malformed" as const, role, call: call(v.value as string) }))),
    ];
    totals.set("GET /api/jobs/[jobId]", cases.length);
    expect(cases.length).toBeGreaterThanOrEqual(100);
    expect(await check("GET /api/jobs/[jobId]", cases)).toEqual([]);
  }, 120_000);

  const isoDate = (v: unknown) => typeof v === "string" && /^\d{4}-\d{2}-\d{2}$/.test(v) && !Number.isNaN(Date.parse(`${v}T00:00:00Z`));
  const blank = (v: unknown) => typeof v === "string" && v.trim() === "";
  const exports = [
    {
      route: "GET /jobs/export",
      path: "/jobs/export",
      load: async () => (await import("@/app/(console)/jobs/export/route")).GET,
      keys: {
        code: (v: unknown) => typeof v === "string" && /^[a-z0-9-]{1,64}$/.test(v),
        step: contracts.oneOf("verify-credentials", "retrieve-accounts", "retrieve-transactions", "retrieve-statements"),
        institution: (v: unknown) => typeof v === "string" && /^[A-Za-z0-9_-]{1,32}$/.test(v),
        userId: (v: unknown) => typeof v === "string" && /^[A-Za-z0-9_-]{1,64}$/.test(v),
        from: isoDate,
        to: isoDate,
      } as Record<string, (v: unknown) => boolean>,
      forbidden: ["staff", null] as const,
    },
    {
      route: "GET /audit/export",
      path: "/audit/export",
      load: async () => (await import("@/app/(console)/audit/export/route")).GET,
      keys: {
        actor: contracts.maybeEmail,
        action: (v: unknown) => typeof v === "string" && /^[A-Za-z0-9_.:-]{1,64}$/.test(v.trim()),
        outcome: contracts.oneOf("success", "failure", "denied", "requested", "unknown"),
        userId: contracts.opaqueId,
        connectionId: contracts.opaqueId,
        jobId: contracts.opaqueId,
        from: isoDate,
        to: isoDate,
      } as Record<string, (v: unknown) => boolean>,
      forbidden: ["support", "staff", null] as const,
    },
    {
      route: "GET /users/export",
      path: "/users/export",
      load: async () => (await import("@/app/(console)/users/export/route")).GET,
      keys: {
        status: contracts.oneOf(...CONNECTION_STATUSES),
        institution: (v: unknown) => typeof v === "string" && /^[A-Za-z0-9_-]{1,32}$/.test(v),
      } as Record<string, (v: unknown) => boolean>,
      forbidden: [null] as const,
    },
  ];

  it("POST /api/v1/users/[userId]/check refuses every bad key and every malformed user id", async () => {
    const { POST } = await import("@/app/api/v1/users/[userId]/check/route");
    const valid = world.target.userId;
    const post = (userId: string, headers: Record<string, string>) => () =>
      POST(new Request(`http://console.test/api/v1/users/${encodeURIComponent(userId.toWellFormed())}/check`, { method: "POST", headers }), {
        params: Promise.resolve({ userId }),
      });
    // Without a valid key nothing is read, written or sent: a garbage Authorization header, cookie or user id alike.
    // A header carries bytes: the value as its UTF-8 bytes read as Latin-1, which is what a server receives.
    const wire = (v: unknown) => Buffer.from(String(v).replace(/[\r\n\0]/g, "").slice(0, 8000), "utf8").toString("latin1");
    const headerValues = stringCorpus("Bearer bqk_" + "A".repeat(43), 301, 60).filter((v) => typeof v.value === "string");
    const noKey: RouteCase[] = [
      ...headerValues.map((v) => ({
        label: `authorization: ${v.label}`,
        expect: "malformed" as const,
        role: null,
        call: post(valid, { authorization: wire(v.value) }),
      })),
      ...stringCorpus("authjs.session-token=x", 302, 20)
        .filter((v) => typeof v.value === "string")
        .map((v) => ({ label: `cookie: ${v.label}`, expect: "malformed" as const, role: null, call: post(valid, { cookie: wire(v.value) }) })),
      ...[...malformedIds(valid), ...nearValidIds(valid)].map((v) => ({ label: `userId without key: ${v.label}`, expect: "malformed" as const, role: null, call: post(String(v.value), {}) })),
    ];
    totals.set("POST /api/v1/…/check (no key)", noKey.length);
    expect(noKey.length).toBeGreaterThanOrEqual(100);
    expect(await check("POST /api/v1/users/[userId]/check", noKey)).toEqual([]);

    // With a valid key, a malformed user id is a 400 (or a 429 past the rate) and reaches no Basiq route; the only
    // writes are the key's last use, the rate counter and the audit row of the call. A key every 9 calls keeps the
    // rate limit out of the way.
    actAs(as("admin"));
    const { createApiKey } = await import("@/lib/api-keys/keys");
    const ids = classify([...strings(valid, 303), ...malformedIds(valid)], contracts.opaqueId, false).map((v) => String(v.value));
    const keys: string[] = [];
    for (let i = 0; i < ids.length; i += 9) keys.push((await createApiKey(`fuzz key ${i}`)).key);
    const db0 = await fingerprint(world);
    const s0 = await sandboxStats(world);
    const problems: string[] = [];
    for (const [i, userId] of ids.entries()) {
      const res = await post(userId, { authorization: `Bearer ${keys[Math.floor(i / 9)]}` })();
      const body = await res.text();
      if (res.status !== 400) problems.push(`userId ${JSON.stringify(userId).slice(0, 60)}: HTTP ${res.status}`);
      if (STACK_TRACE.test(body)) problems.push(`userId ${JSON.stringify(userId).slice(0, 60)}: stack trace`);
    }
    const tables = changedTables(db0, await fingerprint(world)).filter((t) => !["public.audit_events", "public.api_keys", "public.security_quotas"].includes(t));
    expect(problems).toEqual([]);
    expect(tables).toEqual([]);
    expect(statsDiff(s0, await sandboxStats(world))).toEqual({});
    totals.set("POST /api/v1/…/check (key)", ids.length);
  }, 180_000);

  it("GET /api/v1/openapi.json serves the document, for anyone", async () => {
    const { GET } = await import("@/app/api/v1/openapi.json/route");
    const res = GET();
    expect(res.status).toBe(200);
    const doc = (await res.json()) as { openapi: string; paths: Record<string, unknown> };
    expect(doc.openapi).toMatch(/^3\./);
    expect(Object.keys(doc.paths)).toEqual(["/api/v1/users/{userId}/check"]);
  });

  for (const e of exports) {
    it(`${e.route} refuses every unreadable filter with 400`, async () => {
      const GET = await e.load();
      let seed = 200;
      const cases: RouteCase[] = [];
      for (const [key, ok] of Object.entries(e.keys)) {
        // A blank filter means "no filter" (a valid export): not a fuzz case.
        const values = classify(strings(key === "from" || key === "to" ? "2026-01-01" : "valid-value", seed++), (v) => ok(v) || blank(v), false);
        cases.push(...queryCases(GET, e.path, key, values));
        cases.push(...rawQueryCases(GET, e.path, key));
      }
      // Other roles: refused by the policy before the filters are read.
      for (const role of e.forbidden) cases.push(...cases.filter((_c, i) => i % 25 === 0).map((c) => ({ ...c, label: `${role ?? "anonymous"} ${c.label}`, role })));
      totals.set(e.route, cases.length);
      expect(cases.length).toBeGreaterThanOrEqual(100);
      expect(await check(e.route, cases)).toEqual([]);
    }, 180_000);
  }

  it("GET /api/metrics", async () => {
    const { GET } = await import("@/app/api/metrics/route");
    const { resetEnvForTests } = await import("@/lib/env");
    const token = "fuzz-metrics-token-0123456789";
    process.env.METRICS_TOKEN = token;
    resetEnvForTests();
    try {
      const values = classify([...strings(token, 301), ...strings("", 302)], (v) => typeof v === "string" && v.trim() === token, false);
      const cases: RouteCase[] = [];
      for (const v of values) {
        for (const [label, header] of [
          ["bearer", `Bearer ${String(v.value)}`],
          ["raw", String(v.value)],
          ["basic", `Basic ${String(v.value)}`],
        ] as const) {
          let headers: Headers;
          try {
            headers = new Headers({ authorization: header });
          } catch {
            continue; // not a header a client could send
          }
          for (const role of ["admin", null] as const) {
            cases.push({ label: `${role ?? "anonymous"} ${label}: ${v.label}`, expect: "malformed", role, call: () => GET(new Request("http://console.test/api/metrics", { headers })) });
          }
        }
      }
      totals.set("GET /api/metrics", cases.length);
      expect(cases.length).toBeGreaterThanOrEqual(100);
      expect(await check("GET /api/metrics", cases)).toEqual([]);
    } finally {
      delete process.env.METRICS_TOKEN;
      resetEnvForTests();
    }
  });
});
