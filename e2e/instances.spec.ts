// Issue 14 items 2 and 3 over HTTP, across two server processes: the sign-in throttles reserve each attempt in one
// SQL statement before the password is checked, so a burst of simultaneous guesses spread over two console
// instances on one PostgreSQL database evaluates no more than the limit; and X-Forwarded-For is believed only from
// a trusted proxy, right-most untrusted hop first, so spoofed hops neither dodge the per-IP limit nor reach the
// audit trail. "Evaluated" is counted from the audit trail: an evaluated guess is `auth.sign_in` failure, a
// throttled one `denied`.
//
// With DATABASE_URL (CI) a second console (scripts/start.ts, the same build, data dir and sandbox) is started on
// the e2e database next to the one e2e/serve.ts runs, and the burst alternates between them. Without it (the
// embedded PGlite, which one process owns) the same burst goes to the one console. The same-statement reservation
// is also proved below the HTTP layer, with two connection pools, by lib/auth/throttle-concurrency.test.ts.
import { type ChildProcess, spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { createWriteStream, existsSync, readFileSync } from "node:fs";
import path from "node:path";

import { type APIRequestContext, expect, test } from "@playwright/test";
import Papa from "papaparse";

import { baseURL } from "../playwright.config";
import { dataDirFile, databaseUrlFile, serverLogFile, storageStateOf } from "./paths";

const BURST = 120;
const ACCOUNT_LIMIT = 10; // lib/auth/throttle.ts MAX_FAILURES_PER_ACCOUNT
const IP_LIMIT = 50; // lib/auth/throttle.ts MAX_FAILURES_PER_IP

test.describe.configure({ mode: "serial", timeout: 240_000 });

let second: ChildProcess | null = null;
let bases: string[] = [baseURL];

async function answering(url: string, deadline: number): Promise<boolean> {
  while (Date.now() < deadline) {
    try {
      if ((await fetch(`${url}/api/health`, { signal: AbortSignal.timeout(5000) })).ok) return true;
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
  return false;
}

test.beforeAll(async () => {
  if (!existsSync(databaseUrlFile)) return; // PGlite: one process owns the database
  const port = Number(new URL(baseURL).port) + 50;
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    PORT: String(port),
    SANDBOX_PORT: process.env.E2E_SANDBOX_PORT ?? "4110", // start.ts reuses the sandbox already running there
    DATA_DIR: readFileSync(dataDirFile, "utf8"), // the same development secrets: one AUTH_SECRET, one encryption key
    DATABASE_URL: readFileSync(databaseUrlFile, "utf8"),
    NEXT_TELEMETRY_DISABLED: "1",
    E2E_SKIP_BUILD: "1",
    SWEEP_INTERVAL_MINUTES: "0",
    CONNECTOR_CACHE_SECONDS: "0",
    TRUSTED_PROXIES: "loopback",
  };
  delete env.BASIQ_API_KEY;
  delete env.BASIQ_API_URL;
  second = spawn(path.join(process.cwd(), "node_modules/.bin/tsx"), ["--conditions=react-server", "scripts/start.ts"], {
    env,
    stdio: ["ignore", "pipe", "pipe"],
  });
  // Its output joins the first console's log, which e2e/leaks.spec.ts scans for secrets.
  const log = createWriteStream(serverLogFile, { flags: "a" });
  second.stdout?.pipe(log);
  second.stderr?.pipe(log);
  const url = `http://localhost:${port}`;
  expect(await answering(url, Date.now() + 180_000), "the second console answers").toBe(true);
  bases = [baseURL, url];
});

test.afterAll(async () => {
  if (!second || second.exitCode !== null) return;
  const exited = new Promise((resolve) => second!.once("exit", resolve));
  second.kill("SIGTERM");
  await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, 15_000))]);
});

interface Csrf {
  token: string;
  cookie: string;
}

/** next-auth's double-submit CSRF pair, from each console (they share AUTH_SECRET, so either would do). */
async function csrfOf(base: string): Promise<Csrf> {
  const res = await fetch(`${base}/api/auth/csrf`);
  const { csrfToken } = (await res.json()) as { csrfToken: string };
  const cookie = res.headers
    .getSetCookie()
    .map((c) => c.split(";")[0]!)
    .join("; ");
  return { token: csrfToken, cookie };
}

/** BURST simultaneous sign-ins with wrong passwords, alternating between the consoles; their HTTP statuses. */
async function burst(attempt: (i: number) => { email: string; forwardedFor: string; agent: string }): Promise<number[]> {
  const csrf = await Promise.all(bases.map(csrfOf));
  return Promise.all(
    Array.from({ length: BURST }, async (_, i) => {
      const k = i % bases.length;
      const { email, forwardedFor, agent } = attempt(i);
      const res = await fetch(`${bases[k]}/api/auth/callback/credentials`, {
        method: "POST",
        redirect: "manual",
        headers: {
          "content-type": "application/x-www-form-urlencoded",
          cookie: csrf[k]!.cookie,
          "x-forwarded-for": forwardedFor,
          "user-agent": agent,
        },
        body: new URLSearchParams({ csrfToken: csrf[k]!.token, email, password: `wrong guess ${i}` }).toString(),
      });
      await res.arrayBuffer();
      return res.status;
    }),
  );
}

type AuditRow = { actor_email: string; outcome: string; ip: string; user_agent: string };

/** Every `auth.sign_in` audit row since `from` (the admin's CSV export), as objects. */
async function signInAudit(request: APIRequestContext, from: string): Promise<AuditRow[]> {
  const res = await request.get(`/audit/export?action=auth.sign_in&from=${encodeURIComponent(from)}`);
  expect(res.status()).toBe(200);
  expect(res.headers()["x-truncated"]).toBe("false");
  return Papa.parse<AuditRow>(await res.text(), { header: true, skipEmptyLines: true }).data;
}

test.describe(`sign-in throttles under a burst of ${BURST}`, () => {
  test.use({ storageState: storageStateOf("admin") });

  test(`one account: at most ${ACCOUNT_LIMIT} guesses evaluated (${existsSync(databaseUrlFile) ? "two console processes, PostgreSQL" : "one console, PGlite"})`, async ({
    request,
  }) => {
    const from = new Date(Date.now() - 86_400_000).toISOString().slice(0, 10); // the filter takes a date
    const tag = randomBytes(4).toString("hex");
    const email = `burst-${tag}@corp.example`;
    const agent = `instances-account-${tag}`;
    const statuses = await burst(() => ({ email, forwardedFor: "203.0.113.78", agent }));
    expect(statuses.every((s) => s === 302), `every attempt answered with next-auth's redirect: ${[...new Set(statuses)].join(",")}`).toBe(true);
    if (bases.length > 1) expect(bases).toHaveLength(2);

    await expect
      .poll(async () => (await signInAudit(request, from)).filter((r) => r.user_agent === agent).length, { timeout: 30_000 })
      .toBe(BURST); // every attempt is accounted for: evaluated or throttled, none lost
    const rows = (await signInAudit(request, from)).filter((r) => r.user_agent === agent);
    const evaluated = rows.filter((r) => r.outcome === "failure");
    expect(evaluated.length).toBeGreaterThan(0);
    expect(evaluated.length).toBeLessThanOrEqual(ACCOUNT_LIMIT);
    expect(rows.filter((r) => r.outcome === "denied")).toHaveLength(BURST - evaluated.length);
    expect(new Set(rows.map((r) => r.ip))).toEqual(new Set(["203.0.113.78"]));
  });

  test(`one client behind the proxy, ${BURST} spoofed X-Forwarded-For hops: at most ${IP_LIMIT} guesses evaluated, no spoofed address recorded`, async ({
    request,
  }) => {
    const from = new Date(Date.now() - 86_400_000).toISOString().slice(0, 10); // the filter takes a date
    const tag = randomBytes(4).toString("hex");
    const agent = `instances-ip-${tag}`;
    // The client writes any X-Forwarded-For it likes; the trusted proxy (loopback here) appends the address it
    // saw. Only that right-most hop is the client.
    const statuses = await burst((i) => ({
      email: `nobody-${tag}-${i}@corp.example`,
      forwardedFor: `198.18.${i % 250}.${(i * 7) % 250}, 203.0.113.79`,
      agent,
    }));
    expect(statuses.every((s) => s === 302)).toBe(true);

    await expect
      .poll(async () => (await signInAudit(request, from)).filter((r) => r.user_agent === agent).length, { timeout: 30_000 })
      .toBe(BURST);
    const rows = (await signInAudit(request, from)).filter((r) => r.user_agent === agent);
    const evaluated = rows.filter((r) => r.outcome === "failure");
    expect(evaluated.length).toBeGreaterThan(0);
    expect(evaluated.length).toBeLessThanOrEqual(IP_LIMIT);
    expect(new Set(rows.map((r) => r.ip))).toEqual(new Set(["203.0.113.79"]));
  });
});
