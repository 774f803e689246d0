// Issue 14 item 3: X-Forwarded-For was believed from anyone, so a spoofed header beat the per-IP sign-in limit
// and forged audit and session IPs. Now the socket address is the client unless it is a configured proxy
// (TRUSTED_PROXIES), and then the right-most untrusted hop is.
import http from "node:http";
import type { AddressInfo } from "node:net";

import { and, eq, inArray } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";

import type { Database } from "@/lib/db/client";
import type { TestDatabase } from "@/test/db";

import type * as PasswordModule from "@/lib/auth/password";

let passwordChecks = 0;
vi.mock("@/lib/auth/password", async (importOriginal) => {
  const real = await importOriginal<typeof PasswordModule>();
  return {
    ...real,
    verifyPassword: async (...args: Parameters<typeof real.verifyPassword>) => {
      passwordChecks += 1;
      return real.verifyPassword(...args);
    },
  };
});

const { clientIp, PEER_ADDRESS_HEADER } = await import("./client-ip");
const { installPeerAddressHeader } = await import("./peer-address");
const { metaFromHeaders } = await import("@/lib/audit/request-meta");
const { loadEnv, resetEnvForTests } = await import("@/lib/env");
const { createTestDatabase } = await import("@/test/db");
const { openDatabase, useDatabaseForTests } = await import("@/lib/db/client");
const { auditEvents } = await import("@/lib/db/schema");
const { verifySignIn } = await import("@/lib/auth/sign-in");
const { MAX_FAILURES_PER_IP } = await import("@/lib/auth/throttle");

const h = (peer: string | null, xff?: string) =>
  new Headers({ ...(peer ? { [PEER_ADDRESS_HEADER]: peer } : {}), ...(xff ? { "x-forwarded-for": xff } : {}) });

describe("clientIp", () => {
  it("is the socket address when no proxy is trusted, whatever X-Forwarded-For says", () => {
    expect(clientIp(h("198.51.100.4", "1.2.3.4"), [])).toBe("198.51.100.4");
    expect(clientIp(h("198.51.100.4", "1.2.3.4, 5.6.7.8"), [])).toBe("198.51.100.4");
    expect(clientIp(h("198.51.100.4"), [])).toBe("198.51.100.4");
  });

  it("behind trusted proxies is the right-most untrusted hop (a client's own X-Forwarded-For entries are ignored)", () => {
    const trusted = ["10.0.0.0/8", "127.0.0.1"];
    expect(clientIp(h("10.0.0.5", "203.0.113.9"), trusted)).toBe("203.0.113.9");
    // The client wrote "1.1.1.1" itself; the proxy appended the address it saw.
    expect(clientIp(h("10.0.0.5", "1.1.1.1, 203.0.113.9"), trusted)).toBe("203.0.113.9");
    // Two proxies: the load balancer (10.1.1.1) forwarded for the client, the edge proxy (10.0.0.5) for it.
    expect(clientIp(h("10.0.0.5", "1.1.1.1, 203.0.113.9, 10.1.1.1"), trusted)).toBe("203.0.113.9");
    // A request straight from an untrusted address: its header is not believed.
    expect(clientIp(h("192.0.2.50", "10.0.0.9"), trusted)).toBe("192.0.2.50");
    // A trusted proxy that sent no header: the proxy is the client.
    expect(clientIp(h("10.0.0.5"), trusted)).toBe("10.0.0.5");
  });

  it("is unknown without a socket address: never a value the client chose", () => {
    expect(clientIp(h(null, "1.2.3.4"), [])).toBeNull();
    expect(clientIp(new Headers({ "x-real-ip": "1.2.3.4" }), [])).toBeNull();
  });

  it("TRUSTED_PROXIES is validated at start-up", () => {
    const base = { AUTH_SECRET: "x".repeat(40) };
    expect(loadEnv({ ...base, TRUSTED_PROXIES: "10.0.0.0/8, 127.0.0.1 ,::1" }).trustedProxies).toEqual(["10.0.0.0/8", "127.0.0.1", "::1"]);
    expect(loadEnv(base).trustedProxies).toEqual([]);
    expect(() => loadEnv({ ...base, TRUSTED_PROXIES: "10.0.0.0/99" })).toThrow(/TRUSTED_PROXIES/);
    expect(() => loadEnv({ ...base, TRUSTED_PROXIES: "proxy.internal" })).toThrow(/TRUSTED_PROXIES/);
  });
});

describe("over HTTP: the server stamps the socket address and a client cannot forge it", () => {
  let t: TestDatabase;
  let second: { db: Database; close(): Promise<void> } | null = null;
  let server: http.Server;
  let url: string;

  beforeAll(async () => {
    delete process.env.TRUSTED_PROXIES;
    resetEnvForTests();
    t = await createTestDatabase();
    if (t.kind === "postgres" && t.url) {
      // Two pools, as two instances would be: each query takes one of them in turn.
      second = await openDatabase({ databaseUrl: t.url });
      const [a, b] = [t.db, second.db];
      let i = 0;
      useDatabaseForTests(
        new Proxy(a, {
          get(_t, prop) {
            const db = i++ % 2 === 0 ? a : b;
            const v = Reflect.get(db, prop) as unknown;
            return typeof v === "function" ? (v as (...x: unknown[]) => unknown).bind(db) : v;
          },
        }),
      );
    } else {
      useDatabaseForTests(t.db);
    }
    installPeerAddressHeader();
    // A stand-in for the console's sign-in endpoint: request headers as Next.js hands them to the app.
    server = http.createServer((req, res) => {
      const headers = new Headers();
      for (const [k, v] of Object.entries(req.headers)) if (typeof v === "string") headers.set(k, v);
      const body: Buffer[] = [];
      req.on("data", (c: Buffer) => body.push(c));
      req.on("end", () => {
        const meta = metaFromHeaders(headers);
        const email = Buffer.concat(body).toString();
        verifySignIn({ email, password: "a guess" }, meta).then(
          (r) => res.end(JSON.stringify({ ...r, ip: meta.ip })),
          (e: unknown) => {
            res.statusCode = 500;
            res.end(String(e));
          },
        );
      });
    });
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
  });
  afterAll(async () => {
    await new Promise((r) => server?.close(r));
    await second?.close();
    await t?.close();
  });

  it("a forged peer-address header is overwritten with the socket address", async () => {
    const r = await fetch(url, {
      method: "POST",
      headers: { [PEER_ADDRESS_HEADER]: "203.0.113.250", "x-forwarded-for": "203.0.113.251", "x-real-ip": "203.0.113.252" },
      body: "single@corp.example",
    });
    expect(((await r.json()) as { ip: string }).ip).toBe("127.0.0.1");
  });

  it(`150 simultaneous guesses, each with a different forged X-Forwarded-For, share one IP limit: at most ${MAX_FAILURES_PER_IP} are checked`, async () => {
    passwordChecks = 0;
    const emails = Array.from({ length: 150 }, (_, i) => `spoof${i}@corp.example`);
    const answers = await Promise.all(
      emails.map(async (email, i) => {
        const r = await fetch(url, { method: "POST", headers: { "x-forwarded-for": `198.18.${i >> 8}.${i & 255}` }, body: email });
        return (await r.json()) as { ok: boolean; reason?: string; ip: string };
      }),
    );
    expect(answers.every((a) => a.ip === "127.0.0.1")).toBe(true);
    expect(passwordChecks).toBeLessThanOrEqual(MAX_FAILURES_PER_IP);
    expect(answers.filter((a) => a.reason === "throttled").length).toBeGreaterThanOrEqual(150 - MAX_FAILURES_PER_IP);
    const rows = await t.db
      .select({ ip: auditEvents.ip, outcome: auditEvents.outcome })
      .from(auditEvents)
      .where(and(eq(auditEvents.action, "auth.sign_in"), inArray(auditEvents.actorEmail, emails)));
    expect(rows).toHaveLength(150);
    expect(new Set(rows.map((r) => r.ip))).toEqual(new Set(["127.0.0.1"])); // no forged IP in the audit
    expect(rows.filter((r) => r.outcome === "failure").length).toBeLessThanOrEqual(MAX_FAILURES_PER_IP);
  }, 120_000);
});
