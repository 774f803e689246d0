// The authorization matrix over HTTP (SECURITY.md AZ-1, AZ-2, AZ-3). Every server action in the build's
// server-reference manifest is called directly, as an attacker would (its action id and a forged body), and every
// page and route handler is requested, as anonymous, staff, support and admin; the answers must match the policy
// table in e2e/authorization-matrix.ts. An action, page or route handler the table does not list fails the run.
import { readFileSync } from "node:fs";
import path from "node:path";

import { expect, request as playwrightRequest, test, type APIRequestContext, type APIResponse } from "@playwright/test";

import { baseURL } from "../playwright.config";

import {
  actionMatrix,
  callers,
  expectedAccess,
  pathMatrix,
  urlPatternOf,
  type Caller,
  type PathRow,
} from "./authorization-matrix";
import { storageStateOf } from "./paths";
import { sandboxPersonas, sandboxStats, sandboxUrl } from "./sandbox-client";
import { consoleWebhookSecret, signedWebhookHeaders } from "./webhook-secret";

const demoPassword = process.env.DEMO_PASSWORD ?? "demo-password";
const SESSION_ENDED = "Your session has ended. Sign in again.";
const NO_PERMISSION = "You do not have permission to do that.";
const INVALID_INPUT = "Some fields are not valid.";
const PURGE = "POST /users/{userId}/connections/{connectionId}/purge";
const REFRESH = "POST /users/{userId}/connections/{connectionId}/refresh";

// ---------------------------------------------------------------------------------------------------------------
// The build under test

interface ReferenceEntry {
  workers: Record<string, unknown>;
  filename: string;
  exportedName: string;
}

function readBuildJson<T>(file: string): T {
  return JSON.parse(readFileSync(path.join(process.cwd(), ".next", file), "utf8")) as T;
}

/** The server actions the build can run: action id → file, export and the pages that carry it. */
function builtActions(): { id: string; file: string; exportedName: string; pages: string[] }[] {
  const manifest = readBuildJson<{ node: Record<string, ReferenceEntry>; edge: Record<string, ReferenceEntry> }>(
    "server/server-reference-manifest.json",
  );
  return Object.entries({ ...manifest.node, ...manifest.edge }).map(([id, entry]) => ({
    id,
    file: entry.filename,
    exportedName: entry.exportedName,
    pages: Object.keys(entry.workers).map((worker) => worker.replace(/^app/, "")),
  }));
}

/** Every page and route handler of the build, by app path ("/(console)/users/[userId]/page"). */
function builtAppPaths(): string[] {
  return Object.keys(readBuildJson<Record<string, string>>("app-path-routes-manifest.json"));
}

const actionKey = (a: { file: string; exportedName: string }) => `${a.file}#${a.exportedName}`;

// ---------------------------------------------------------------------------------------------------------------
// Real ids from the sandbox for dynamic segments

async function sandboxGet<T>(pathname: string): Promise<T> {
  const tokenRes = await fetch(`${sandboxUrl}/token`, {
    method: "POST",
    headers: { Authorization: "Basic sandbox-key", "basiq-version": "3.0", "Content-Type": "application/x-www-form-urlencoded" },
    body: "scope=SERVER_ACCESS",
  });
  const { access_token } = (await tokenRes.json()) as { access_token: string };
  const res = await fetch(`${sandboxUrl}${pathname}`, { headers: { Authorization: `Bearer ${access_token}` } });
  return (await res.json()) as T;
}

interface Ids {
  userId: string;
  connectionId: string;
  /** An active connection of a different user: the AZ-3 object checks use it with `userId`. */
  otherUserId: string;
  otherConnectionId: string;
  jobId: string;
  connectorId: string;
  method: string;
}

/** Two users near the end of the directory (other specs use the first 200) with an active connection each. */
async function sandboxIds(): Promise<Ids> {
  const { ids } = (await (await fetch(`${sandboxUrl}/__sandbox/users?offset=260&limit=40`)).json()) as { ids: string[] };
  const found: { userId: string; connectionId: string }[] = [];
  for (const userId of ids) {
    const body = await sandboxGet<{ data?: { id: string; status?: string }[] }>(`/users/${userId}/connections`);
    const active = (body.data ?? []).find((c) => c.status === "active");
    if (active) found.push({ userId, connectionId: active.id });
    if (found.length === 2) break;
  }
  if (found.length < 2) throw new Error("the sandbox has no two users with an active connection after index 260");
  const job = (await sandboxPersonas()).find((p) => p.failedJobId);
  if (!job?.failedJobId) throw new Error("no sandbox persona with a failed job");
  const [connector] = (await sandboxGet<{ data: { id: string; method: string }[] }>("/connectors")).data;
  const [mine, other] = found as [(typeof found)[number], (typeof found)[number]];
  if (!connector) throw new Error("the sandbox lists no connectors");
  return {
    userId: mine.userId,
    connectionId: mine.connectionId,
    otherUserId: other.userId,
    otherConnectionId: other.connectionId,
    jobId: job.failedJobId,
    connectorId: connector.id,
    method: connector.method,
  };
}

/** "/users/[userId]/connections/[connectionId]" → a URL with real ids. */
function fill(pattern: string, ids: Ids): string {
  return pattern.replace(/\[\[?(\.\.\.)?([A-Za-z]+)\]?\]/g, (_m, _rest: string | undefined, name: string) => {
    if (name === "nextauth") return "session";
    const value = (ids as unknown as Record<string, string | undefined>)[name];
    if (!value) throw new Error(`no sandbox id for the segment [${name}] in ${pattern}: add one to sandboxIds()`);
    return encodeURIComponent(value);
  });
}

// ---------------------------------------------------------------------------------------------------------------
// Callers

async function contextFor(caller: Caller): Promise<APIRequestContext> {
  return playwrightRequest.newContext({
    baseURL,
    storageState: caller === "anonymous" ? undefined : storageStateOf(caller),
    maxRedirects: 0,
  });
}

async function withCallers<T>(run: (callerOf: (c: Caller) => APIRequestContext) => Promise<T>): Promise<T> {
  const contexts = new Map<Caller, APIRequestContext>();
  for (const c of callers) contexts.set(c, await contextFor(c));
  try {
    return await run((c) => contexts.get(c)!);
  } finally {
    for (const ctx of contexts.values()) await ctx.dispose();
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Calling a server action the way the browser's router does, without a browser

/** A JSON argument list, or a multipart one: fields in order (React reads the root "0" as soon as it arrives). */
type Body = { kind: "json"; text: string } | { kind: "form"; fields: [string, string][] };

/** A body every defineAction schema rejects, in both encodings React uses for action arguments. */
const forgedBodies: { name: string; body: Body }[] = [
  { name: "json", body: { kind: "json", text: JSON.stringify([{ forged: true }]) } },
  // React encodes a FormData argument as "$K<n>" and its fields as "_<n>_<name>", sent before the root "0" (in the
  // other order the argument arrives empty, which the strict empty schemas accept: the action would run, and the
  // spec fails on any answer other than the three expected).
  { name: "form", body: { kind: "form", fields: [["_1_forged", "true"], ["0", JSON.stringify(["$K1"])]] } },
];

function formOf(fields: [string, string][]): FormData {
  const form = new FormData();
  for (const [name, value] of fields) form.append(name, value);
  return form;
}

async function postAction(ctx: APIRequestContext, pagePath: string, actionId: string, body: Body): Promise<APIResponse> {
  const headers = { "Next-Action": actionId, Origin: baseURL, Accept: "text/x-component" };
  return body.kind === "json"
    ? ctx.post(pagePath, { headers: { ...headers, "Content-Type": "text/plain;charset=UTF-8" }, data: body.text })
    : ctx.post(pagePath, { headers, multipart: formOf(body.fields) });
}

/** The action's return value from the RSC answer ("0:{"a":"$@1",…}" then "1:{…}"), or what happened instead. */
async function actionOutcome(res: APIResponse): Promise<{ kind: "value"; value: unknown } | { kind: "redirect"; to: string } | { kind: "failed"; detail: string }> {
  const redirect = res.headers()["x-action-redirect"];
  if (redirect) return { kind: "redirect", to: new URL(redirect.split(";")[0] ?? "", baseURL).pathname };
  const text = await res.text();
  if (res.status() !== 200) return { kind: "failed", detail: `HTTP ${res.status()}: ${text.slice(0, 120)}` };
  const lines = new Map<string, string>();
  for (const line of text.split("\n")) {
    const colon = line.indexOf(":");
    if (colon > 0) lines.set(line.slice(0, colon), line.slice(colon + 1));
  }
  try {
    const root = JSON.parse(lines.get("0") ?? "null") as { a?: string } | null;
    const ref = root?.a?.startsWith("$@") ? root.a.slice(2) : null;
    const row = ref ? lines.get(ref) : undefined;
    if (row === undefined) return { kind: "failed", detail: `no action result in: ${text.slice(0, 120)}` };
    if (row.startsWith("E")) return { kind: "failed", detail: `the action threw: ${row.slice(0, 120)}` };
    return { kind: "value", value: JSON.parse(row) };
  } catch {
    return { kind: "failed", detail: `unreadable answer: ${text.slice(0, 120)}` };
  }
}

/** A defineAction result, classified: refused for want of a session / a role, or past the check (input refused). */
async function classifyGuardedAction(res: APIResponse): Promise<string> {
  const outcome = await actionOutcome(res);
  if (outcome.kind === "redirect") return `redirect to ${outcome.to}`;
  if (outcome.kind === "failed") return outcome.detail;
  const message = (outcome.value as { message?: unknown } | null)?.message;
  if (message === SESSION_ENDED) return "anonymous";
  if (message === NO_PERMISSION) return "forbidden";
  if (message === INVALID_INPUT) return "allowed";
  return `unexpected answer ${JSON.stringify(outcome.value).slice(0, 160)}`;
}

// ---------------------------------------------------------------------------------------------------------------
// Pages and route handlers

async function classifyGet(row: PathRow, res: APIResponse): Promise<string> {
  const status = res.status();
  const location = res.headers()["location"];
  const to = location ? new URL(location, baseURL).pathname : null;
  if (status >= 300 && status < 400) {
    if (to === "/login") return "anonymous";
    return `redirect to ${to}`;
  }
  if (status === 401 && row.kind === "route") return "anonymous";
  if (status === 403) return "forbidden";
  if (status === 200) return "allowed";
  return `HTTP ${status}`;
}

function expectedGet(row: PathRow, caller: Caller): string {
  if (row.framework) return `HTTP ${row.framework}`;
  if (row.signature) return "HTTP 405"; // POST only; see "the webhook receiver" below
  if (row.signedIn === "redirect-home" && caller !== "anonymous") return "redirect to /";
  const redirect = caller === "anonymous" ? undefined : row.redirects?.[caller];
  if (redirect) return `redirect to ${redirect}`;
  return expectedAccess(row.allowed, caller);
}

// ---------------------------------------------------------------------------------------------------------------
// The tests

const roleCallers = callers.length;
const forgedRows = actionMatrix.filter((a) => a.call === "forged");
const forgedCalls = forgedRows.length * roleCallers * forgedBodies.length;
const secondFactorCalls = actionMatrix.filter((a) => a.call === "second-factor").length * roleCallers * forgedBodies.length;
const routeRows = pathMatrix.filter((p) => p.kind === "route").length;
const pageRows = pathMatrix.filter((p) => p.kind === "page").length;
const totals = {
  actions:
    `${actionMatrix.length} server actions × ${roleCallers} callers: ${forgedRows.length} guarded × ${roleCallers} × ` +
    `${forgedBodies.length} encodings = ${forgedCalls} forged calls, second-factor steps ${secondFactorCalls}, ` +
    `sign-in × ${roleCallers}, sign-out × 3 (anonymous + 2 fresh sessions) = ` +
    `${forgedCalls + secondFactorCalls + roleCallers + 3} calls`,
  routes: `${routeRows} route handlers × ${roleCallers} callers = ${routeRows * roleCallers} requests`,
  pages: `${pageRows} pages × ${roleCallers} callers = ${pageRows * roleCallers} requests`,
};

test.describe("authorization matrix", () => {
  test("the table lists exactly the build's server actions, pages and route handlers", async () => {
    const built = builtActions();
    const listed = new Set(actionMatrix.map(actionKey));
    const builtKeys = new Set(built.map(actionKey));
    const missingActions = [...builtKeys].filter((k) => !listed.has(k));
    const staleActions = [...listed].filter((k) => !builtKeys.has(k));
    expect(missingActions, "server actions in the build with no row in e2e/authorization-matrix.ts (add each with the permission it must demand)").toEqual([]);
    expect(staleActions, "rows in e2e/authorization-matrix.ts for server actions the build does not have").toEqual([]);

    const paths = builtAppPaths();
    const listedPaths = new Set(pathMatrix.map((p) => p.appPath));
    expect(paths.filter((p) => !listedPaths.has(p)), "pages or route handlers in the build with no row in e2e/authorization-matrix.ts").toEqual([]);
    expect([...listedPaths].filter((p) => !paths.includes(p)), "rows in e2e/authorization-matrix.ts for pages or route handlers the build does not have").toEqual([]);
    for (const row of pathMatrix) expect(row.appPath.endsWith(`/${row.kind}`), `${row.appPath} is listed as a ${row.kind}`).toBe(true);

    for (const [type, description] of Object.entries(totals)) {
      test.info().annotations.push({ type, description });
      console.log(`authorization matrix: ${description}`);
    }
  });

  test.describe("server actions, called directly with a forged body", () => {
    let ids: Ids;
    test.beforeAll(async () => {
      ids = await sandboxIds();
    });

    for (const row of forgedRows) {
      test(`${row.exportedName} needs ${row.requires}`, async () => {
        const action = builtActions().find((a) => actionKey(a) === actionKey(row));
        expect(action, `${actionKey(row)} is not in the build`).toBeTruthy();
        // The page the action is bound to; Next.js would also route the id from any other page.
        const pagePath = fill(urlPatternOf(action!.pages[0] ?? "/(console)/page"), ids);
        const mismatches = await withCallers(async (callerOf) => {
          const found: string[] = [];
          for (const caller of callers) {
            for (const { name, body } of forgedBodies) {
              const got = await classifyGuardedAction(await postAction(callerOf(caller), pagePath, action!.id, body));
              const expected = expectedAccess(row.allowed, caller);
              if (got !== expected) found.push(`${row.exportedName} as ${caller} (${name} body): expected ${expected}, got ${got}`);
            }
          }
          return found;
        });
        expect(mismatches, `${row.exportedName} must demand ${row.requires} (lib/auth/policy.ts)`).toEqual([]);
      });
    }

    test("signInAction is public: an empty form is answered the same for every caller", async () => {
      const action = builtActions().find((a) => actionKey(a) === actionKey(actionMatrix.find((r) => r.call === "sign-in")!));
      expect(action).toBeTruthy();
      const emptyForm: Body = {
        kind: "form",
        fields: [
          ["_1_email", ""],
          ["_1_password", ""],
          ["0", JSON.stringify([{ message: null }, "$K1"])],
        ],
      };
      await withCallers(async (callerOf) => {
        for (const caller of callers) {
          const outcome = await actionOutcome(await postAction(callerOf(caller), "/login", action!.id, emptyForm));
          expect(outcome, `signInAction as ${caller}`).toEqual({ kind: "value", value: { message: "Enter your e-mail and password." } });
        }
      });
    });

    for (const row of actionMatrix.filter((a) => a.call === "public")) {
      test(`${row.exportedName} is public: forged bodies get a plain answer from every caller`, async () => {
        const action = builtActions().find((a) => actionKey(a) === actionKey(row));
        expect(action, `${actionKey(row)} is not in the build`).toBeTruthy();
        const pagePath = urlPatternOf(action!.pages[0] ?? "/(auth)/login/page");
        const mismatches = await withCallers(async (callerOf) => {
          const found: string[] = [];
          for (const caller of callers) {
            for (const { name, body } of forgedBodies) {
              const outcome = await actionOutcome(await postAction(callerOf(caller), pagePath, action!.id, body));
              if (outcome.kind !== "value") found.push(`${row.exportedName} as ${caller} (${name} body): ${JSON.stringify(outcome).slice(0, 160)}`);
            }
          }
          return found;
        });
        expect(mismatches, `${row.exportedName}`).toEqual([]);
      });
    }

    for (const row of actionMatrix.filter((a) => a.call === "second-factor")) {
      test(`${row.exportedName} refuses anonymous callers and answers forged bodies plainly`, async () => {
        const action = builtActions().find((a) => actionKey(a) === actionKey(row));
        expect(action, `${actionKey(row)} is not in the build`).toBeTruthy();
        const mismatches = await withCallers(async (callerOf) => {
          const found: string[] = [];
          for (const caller of callers) {
            for (const { name, body } of forgedBodies) {
              const res = await postAction(callerOf(caller), "/login/second-factor", action!.id, body);
              if (caller === "anonymous") {
                const got = await classifyGuardedAction(res);
                if (got !== "anonymous") found.push(`${row.exportedName} as anonymous (${name} body): expected anonymous, got ${got}`);
                continue;
              }
              // Signed-in storage states have complete sessions: a plain message or being sent on, never a failure.
              const outcome = await actionOutcome(res);
              const message = outcome.kind === "value" ? (outcome.value as { message?: unknown } | null)?.message : undefined;
              const plain = outcome.kind === "redirect" || (outcome.kind === "value" && typeof message === "string" && message !== SESSION_ENDED);
              if (!plain) found.push(`${row.exportedName} as ${caller} (${name} body): ${JSON.stringify(outcome).slice(0, 160)}`);
            }
          }
          return found;
        });
        expect(mismatches, `${row.exportedName}`).toEqual([]);
      });
    }

    test("signOutAction is public: anonymous and fresh staff and support sessions are signed out", async ({ browser }) => {
      test.setTimeout(120_000); // two sign-ins through the form: password hashing is slow on a busy machine
      const action = builtActions().find((a) => actionKey(a) === actionKey(actionMatrix.find((r) => r.call === "sign-out")!));
      expect(action).toBeTruthy();
      const noArguments: Body = { kind: "json", text: "[]" };
      const anonymous = await contextFor("anonymous");
      expect(await actionOutcome(await postAction(anonymous, "/", action!.id, noArguments)), "signOutAction as anonymous").toEqual({ kind: "redirect", to: "/login" });
      await anonymous.dispose();
      // Its own session per role: signing out the shared storage states would end them for every other spec.
      // (Admins sign in with a second factor; the action has no role branch, so staff and support stand for it.)
      for (const role of ["staff", "support"] as const) {
        const context = await browser.newContext({ baseURL });
        const page = await context.newPage();
        await page.goto("/login");
        await page.getByLabel("E-mail").fill(`${role}@example.com`);
        await page.getByLabel("Password").fill(demoPassword);
        await page.getByRole("button", { name: "Sign in" }).click();
        await expect(page.getByTestId("current-staff-role").first()).toHaveText(role);
        const outcome = await actionOutcome(await postAction(context.request, "/", action!.id, noArguments));
        expect(outcome, `signOutAction as ${role}`).toEqual({ kind: "redirect", to: "/login" });
        const after = await context.request.get("/", { maxRedirects: 0 });
        expect(new URL(after.headers()["location"] ?? "/", baseURL).pathname, `${role} is signed out`).toBe("/login");
        await context.close();
      }
    });
  });

  test.describe("pages and route handlers", () => {
    for (const kind of ["page", "route"] as const) {
      test(`every ${kind} answers each caller as the policy says`, async () => {
        test.setTimeout(120_000); // every page rendered four times, one after the other
        const ids = await sandboxIds();
        const mismatches = await withCallers(async (callerOf) => {
          const found: string[] = [];
          for (const row of pathMatrix.filter((p) => p.kind === kind)) {
            const url = fill(urlPatternOf(row.appPath), ids);
            for (const caller of callers) {
              const request = callerOf(caller);
              const got = await classifyGet(row, row.method === "POST" ? await request.post(url) : await request.get(url));
              const expected = expectedGet(row, caller);
              if (got !== expected) found.push(`GET ${url} (${row.appPath}) as ${caller}: expected ${expected}, got ${got}`);
            }
          }
          return found;
        });
        expect(mismatches, `every ${kind} must demand the permission its row in e2e/authorization-matrix.ts names`).toEqual([]);
      });
    }
  });

  test("the webhook receiver: every caller is refused without a valid signature and let in with one", async () => {
    const row = pathMatrix.find((p) => p.signature === "standard-webhooks")!;
    const url = urlPatternOf(row.appPath);
    const body = JSON.stringify({ eventTypeId: "user.created", eventId: "matrix-no-such-event", links: {} });
    await withCallers(async (callerOf) => {
      for (const caller of callers) {
        const unsigned = await callerOf(caller).post(url, { data: body, headers: { "content-type": "application/json" } });
        expect(unsigned.status(), `unsigned POST ${url} as ${caller}`).toBe(401);
        const forged = await callerOf(caller).post(url, { data: body, headers: signedWebhookHeaders(`msg_matrix_forged_${caller}`, body, `whsec_${Buffer.alloc(32, 1).toString("base64")}`) });
        expect(forged.status(), `wrongly signed POST ${url} as ${caller}`).toBe(401);
        const signed = await callerOf(caller).post(url, { data: body, headers: signedWebhookHeaders(`msg_matrix_${caller}`, body, consoleWebhookSecret()) });
        expect(signed.status(), `signed POST ${url} as ${caller}`).toBe(202);
      }
    });
  });

  test.describe("object checks (AZ-3)", () => {
    test("another user's connection, or a job that does not exist, is a 404 for everyone allowed to look", async () => {
      const ids = await sandboxIds();
      const mixed = `/users/${ids.userId}/connections/${ids.otherConnectionId}`;
      const noJob = "matrix-no-such-job";
      await withCallers(async (callerOf) => {
        for (const caller of callers) {
          const res = await callerOf(caller).get(mixed);
          if (caller === "anonymous") expect(res.status(), `GET ${mixed} as anonymous`).toBe(307);
          else expect(res.status(), `GET ${mixed} as ${caller}`).toBe(404);
          const jobRoles = expectedAccess(pathMatrix.find((p) => p.appPath === "/api/jobs/[jobId]/route")!.allowed, caller);
          const page = await callerOf(caller).get(`/jobs/${noJob}`);
          const api = await callerOf(caller).get(`/api/jobs/${noJob}`);
          const want = { anonymous: [307, 401], forbidden: [403, 403], allowed: [404, 404] }[jobRoles];
          expect([page.status(), api.status()], `GET /jobs/${noJob} and /api/jobs/${noJob} as ${caller}`).toEqual(want);
        }
      });
    });

    test("purge and refresh with another user's connection are refused without a purge or refresh at Basiq", async () => {
      const ids = await sandboxIds();
      const actions = builtActions();
      const idOf = (name: string) => actions.find((a) => a.exportedName === name)!.id;
      const pagePath = `/users/${ids.userId}/connections/${ids.otherConnectionId}`;
      const attempts: { who: Caller; action: string; input: Record<string, string> }[] = [
        {
          who: "admin",
          action: "purgeConnectionAction",
          input: { userId: ids.userId, connectionId: ids.otherConnectionId, confirm: ids.otherConnectionId, password: demoPassword },
        },
        { who: "support", action: "refreshConnectionAction", input: { userId: ids.userId, connectionId: ids.otherConnectionId } },
      ];
      await withCallers(async (callerOf) => {
        for (const attempt of attempts) {
          // Other specs may purge or refresh at the same time: a quiet attempt (no new purge or refresh call at the
          // sandbox while ours ran) proves it. A console that forwarded the pair would add a call every time.
          let quiet = false;
          for (let i = 0; i < 5 && !quiet; i++) {
            const before = await sandboxStats();
            const outcome = await actionOutcome(
              await postAction(callerOf(attempt.who), pagePath, idOf(attempt.action), { kind: "json", text: JSON.stringify([attempt.input]) }),
            );
            const after = await sandboxStats();
            expect(outcome, `${attempt.action} as ${attempt.who} with another user's connection`).toEqual({
              kind: "value",
              value: { ok: false, message: "That connection of this user was not found." },
            });
            quiet = (after[PURGE] ?? 0) === (before[PURGE] ?? 0) && (after[REFRESH] ?? 0) === (before[REFRESH] ?? 0);
          }
          expect(quiet, `${attempt.action} with a mismatched userId/connectionId reached Basiq's purge or refresh`).toBe(true);
        }
      });
    });
  });
});
