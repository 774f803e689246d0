import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";

import { describe, expect, it } from "vitest";

import { ConfigError, loadEnv } from "./env";

const key = (b: number) => Buffer.alloc(32, b).toString("base64");
const liveBase = {
  BASIQ_API_KEY: "live-key",
  AUTH_SECRET: "x".repeat(40),
  ENCRYPTION_KEY: `k1:${key(1)}`,
  BLIND_INDEX_KEY: key(2),
};

function errorOf(source: Record<string, string>): ConfigError {
  try {
    loadEnv(source);
  } catch (e) {
    if (e instanceof ConfigError) return e;
    throw e;
  }
  throw new Error("expected a ConfigError");
}

describe("loadEnv", () => {
  it("webhook secrets: none in live mode unless set (the receiver then 404s), current before previous, validated", () => {
    const secret = `whsec_${key(5)}`;
    const old = `whsec_${key(6)}`;
    expect(loadEnv(liveBase).webhookSecrets).toEqual([]);
    expect(loadEnv({ ...liveBase, BASIQ_WEBHOOK_SECRET: secret, BASIQ_WEBHOOK_SECRET_PREVIOUS: old }).webhookSecrets).toEqual([secret, old]);
    expect(errorOf({ ...liveBase, BASIQ_WEBHOOK_SECRET: key(5) }).variable).toBe("BASIQ_WEBHOOK_SECRET");
    expect(errorOf({ ...liveBase, BASIQ_WEBHOOK_SECRET: "whsec_short" }).message).toMatch(/^Invalid configuration: BASIQ_WEBHOOK_SECRET must be the whsec_/);
    expect(errorOf({ ...liveBase, BASIQ_WEBHOOK_SECRET_PREVIOUS: old }).message).toMatch(/BASIQ_WEBHOOK_SECRET_PREVIOUS needs BASIQ_WEBHOOK_SECRET/);
    // Sandbox mode: derived from AUTH_SECRET, so it is stable across restarts and the sandbox can be given it.
    const dataDir = mkdtempSync(path.join(tmpdir(), "env-webhook-"));
    const sandbox = loadEnv({ DATA_DIR: dataDir, AUTH_SECRET: "y".repeat(40) });
    expect(sandbox.webhookSecrets).toHaveLength(1);
    expect(sandbox.webhookSecrets[0]).toMatch(/^whsec_[A-Za-z0-9+/]+=*$/);
    expect(loadEnv({ DATA_DIR: dataDir, AUTH_SECRET: "y".repeat(40) }).webhookSecrets).toEqual(sandbox.webhookSecrets);
  });

  it("names the variable of a malformed DATABASE_URL in one line", () => {
    const e = errorOf({ ...liveBase, DATABASE_URL: "mysql://nope" });
    expect(e.variable).toBe("DATABASE_URL");
    expect(e.message).toMatch(/^Invalid configuration: DATABASE_URL .*postgres/);
    expect(e.message).not.toContain("\n");
  });

  it("validates DATABASE_MIGRATION_URL: a postgres URL, and only beside DATABASE_URL", () => {
    expect(errorOf({ ...liveBase, DATABASE_URL: "postgres://app@db/x", DATABASE_MIGRATION_URL: "mysql://owner@db/x" }).variable).toBe(
      "DATABASE_MIGRATION_URL",
    );
    expect(errorOf({ ...liveBase, DATABASE_MIGRATION_URL: "postgres://owner@db/x" }).message).toMatch(/needs DATABASE_URL/);
    const e = loadEnv({ ...liveBase, DATABASE_URL: "postgres://app@db/x", DATABASE_MIGRATION_URL: "postgres://owner@db/x" });
    expect(e.databaseMigrationUrl).toBe("postgres://owner@db/x");
    expect(loadEnv({ ...liveBase, DATABASE_URL: "postgres://app@db/x" }).databaseMigrationUrl).toBeUndefined();
  });

  it("names a malformed encryption key and never echoes its value", () => {
    const e = errorOf({ ...liveBase, ENCRYPTION_KEY: "k1:c2hvcnQ=" });
    expect(e.variable).toBe("ENCRYPTION_KEY");
    expect(e.message).not.toContain("c2hvcnQ=");
    expect(errorOf({ ...liveBase, BLIND_INDEX_KEY: "not base64!!" }).variable).toBe("BLIND_INDEX_KEY");
  });

  it("requires every secret in live mode instead of generating one", () => {
    for (const name of ["AUTH_SECRET", "ENCRYPTION_KEY", "BLIND_INDEX_KEY"] as const) {
      const source: Record<string, string> = { ...liveBase };
      delete source[name];
      expect(errorOf(source).variable).toBe(name);
    }
  });

  it("uses real Basiq in live mode and the local sandbox otherwise", () => {
    const live = loadEnv(liveBase);
    expect(live.basiq).toEqual({ mode: "live", apiUrl: "https://au-api.basiq.io", apiKey: "live-key" });
    const dir = mkdtempSync(path.join(tmpdir(), "env-test-"));
    const sandbox = loadEnv({ DATA_DIR: dir, SANDBOX_PORT: "4999" });
    expect(sandbox.basiq).toEqual({ mode: "sandbox", apiUrl: "http://127.0.0.1:4999", apiKey: "sandbox-key" });
  });

  it("binds 127.0.0.1 by default in sandbox mode, every interface in live mode, HOSTNAME when set (issue 14)", () => {
    const dir = mkdtempSync(path.join(tmpdir(), "env-test-"));
    expect(loadEnv({ DATA_DIR: dir }).hostname).toBe("127.0.0.1");
    expect(loadEnv({ DATA_DIR: dir, HOSTNAME: "0.0.0.0" }).hostname).toBe("0.0.0.0");
    expect(loadEnv(liveBase).hostname).toBeUndefined();
    expect(loadEnv({ ...liveBase, HOSTNAME: "10.0.0.5" }).hostname).toBe("10.0.0.5");
    expect(errorOf({ ...liveBase, HOSTNAME: "bad host; rm -rf" }).variable).toBe("HOSTNAME");
  });

  it("generates development secrets once in sandbox mode and reuses them", () => {
    const dir = mkdtempSync(path.join(tmpdir(), "env-test-"));
    const a = loadEnv({ DATA_DIR: dir });
    const b = loadEnv({ DATA_DIR: dir });
    expect(a.authSecret).toBe(b.authSecret);
    expect(a.encryption.current.key.equals(b.encryption.current.key)).toBe(true);
    expect(a.encryption.current.key).toHaveLength(32);
    expect(JSON.parse(readFileSync(path.join(dir, "dev-secrets.json"), "utf8"))).toHaveProperty("encryptionKey");
  });

  it("parses the previous keys for rotation and refuses a reused key id", () => {
    const e = loadEnv({ ...liveBase, ENCRYPTION_PREVIOUS_KEYS: `k0:${key(3)},old:${key(4)}` });
    expect(e.encryption.previous.map((k) => k.id)).toEqual(["k0", "old"]);
    expect(errorOf({ ...liveBase, ENCRYPTION_PREVIOUS_KEYS: `k1:${key(3)}` }).variable).toBe("ENCRYPTION_PREVIOUS_KEYS");
  });

  it("reads the Basiq timeout budget with defaults, bounds and the variable named on error", () => {
    const defaults = loadEnv(liveBase);
    expect(defaults.basiqTimeoutMs).toBe(10_000);
    expect(defaults.basiqMaxRetryWaitMs).toBe(60_000);
    const blank = loadEnv({ ...liveBase, BASIQ_TIMEOUT_MS: " ", BASIQ_MAX_RETRY_WAIT_MS: "" });
    expect([blank.basiqTimeoutMs, blank.basiqMaxRetryWaitMs]).toEqual([10_000, 60_000]);
    const low = loadEnv({ ...liveBase, BASIQ_TIMEOUT_MS: "2000", BASIQ_MAX_RETRY_WAIT_MS: "0" });
    expect([low.basiqTimeoutMs, low.basiqMaxRetryWaitMs]).toEqual([2000, 0]);
    expect(loadEnv({ ...liveBase, BASIQ_TIMEOUT_MS: "500" }).basiqTimeoutMs).toBe(500);
    expect(loadEnv({ ...liveBase, BASIQ_TIMEOUT_MS: "60000" }).basiqTimeoutMs).toBe(60_000);
    for (const bad of ["499", "60001", "1.5", "2s", "-1"]) {
      expect(errorOf({ ...liveBase, BASIQ_TIMEOUT_MS: bad }).variable).toBe("BASIQ_TIMEOUT_MS");
    }
    for (const bad of ["-1", "60001", "soon"]) {
      expect(errorOf({ ...liveBase, BASIQ_MAX_RETRY_WAIT_MS: bad }).variable).toBe("BASIQ_MAX_RETRY_WAIT_MS");
    }
  });

  it("reads the page deadline (BASIQ_PAGE_DEADLINE_MS): default 8000, 1000-120000", () => {
    expect(loadEnv(liveBase).basiqPageDeadlineMs).toBe(8_000);
    expect(loadEnv({ ...liveBase, BASIQ_PAGE_DEADLINE_MS: "" }).basiqPageDeadlineMs).toBe(8_000);
    expect(loadEnv({ ...liveBase, BASIQ_PAGE_DEADLINE_MS: "1500" }).basiqPageDeadlineMs).toBe(1_500);
    for (const bad of ["999", "120001", "8s"]) {
      expect(errorOf({ ...liveBase, BASIQ_PAGE_DEADLINE_MS: bad }).variable).toBe("BASIQ_PAGE_DEADLINE_MS");
    }
  });

  it("reads the Basiq lanes' budgets with defaults, bounds and the variable named on error", () => {
    expect(loadEnv(liveBase).basiqMaxInFlight).toEqual({ interactive: 32, background: 10 });
    const set = loadEnv({ ...liveBase, BASIQ_INTERACTIVE_MAX_IN_FLIGHT: "8", BASIQ_BACKGROUND_MAX_IN_FLIGHT: " " });
    expect(set.basiqMaxInFlight).toEqual({ interactive: 8, background: 10 });
    for (const bad of ["0", "257", "1.5", "many", "-3"]) {
      expect(errorOf({ ...liveBase, BASIQ_INTERACTIVE_MAX_IN_FLIGHT: bad }).variable).toBe("BASIQ_INTERACTIVE_MAX_IN_FLIGHT");
      expect(errorOf({ ...liveBase, BASIQ_BACKGROUND_MAX_IN_FLIGHT: bad }).variable).toBe("BASIQ_BACKGROUND_MAX_IN_FLIGHT");
    }
  });
});

describe("CONSOLE_TIME_ZONE", () => {
  it("defaults to Australia/Sydney, also when empty", () => {
    expect(loadEnv({ ...liveBase }).consoleTimeZone).toBe("Australia/Sydney");
    expect(loadEnv({ ...liveBase, CONSOLE_TIME_ZONE: "" }).consoleTimeZone).toBe("Australia/Sydney");
  });

  it("accepts any IANA zone Intl knows", () => {
    expect(loadEnv({ ...liveBase, CONSOLE_TIME_ZONE: "Australia/Perth" }).consoleTimeZone).toBe("Australia/Perth");
    expect(loadEnv({ ...liveBase, CONSOLE_TIME_ZONE: "UTC" }).consoleTimeZone).toBe("UTC");
  });

  it("names the variable of an unknown zone", () => {
    const e = errorOf({ ...liveBase, CONSOLE_TIME_ZONE: "Mars/Olympus_Mons" });
    expect(e.variable).toBe("CONSOLE_TIME_ZONE");
    expect(e.message).toMatch(/IANA time zone/);
  });

  it("validates the single sign-on, SSO-only and SMTP settings (issue 19)", () => {
    const oidc = { OIDC_ISSUER: "https://login.example.com/tenant/v2.0", OIDC_CLIENT_ID: "id", OIDC_CLIENT_SECRET: "secret" };
    expect(loadEnv(liveBase).oidc).toBeUndefined();
    expect(loadEnv({ ...liveBase, ...oidc }).oidc).toMatchObject({ issuer: oidc.OIDC_ISSUER, displayName: "single sign-on", roleMap: {} });
    expect(errorOf({ ...liveBase, OIDC_ISSUER: oidc.OIDC_ISSUER, OIDC_CLIENT_ID: "id" }).variable).toBe("OIDC_CLIENT_SECRET");
    expect(errorOf({ ...liveBase, ...oidc, OIDC_ISSUER: "not a url" }).variable).toBe("OIDC_ISSUER");
    expect(errorOf({ ...liveBase, ...oidc, OIDC_ISSUER: "http://idp.example" }).message).toMatch(/https/);
    expect(errorOf({ ...liveBase, ...oidc, OIDC_ALLOWED_DOMAINS: "corp.example,@bad" }).variable).toBe("OIDC_ALLOWED_DOMAINS");
    const mapped = loadEnv({ ...liveBase, ...oidc, OIDC_ALLOWED_DOMAINS: " Corp.Example ", OIDC_ROLE_CLAIM: "groups", OIDC_ROLE_MAP: "basiq-admins=admin, basiq-staff=staff" });
    expect(mapped.oidc).toMatchObject({ allowedDomains: ["corp.example"], roleClaim: "groups", roleMap: { "basiq-admins": "admin", "basiq-staff": "staff" } });
    expect(errorOf({ ...liveBase, ...oidc, OIDC_ROLE_CLAIM: "groups", OIDC_ROLE_MAP: "basiq-admins=root" }).variable).toBe("OIDC_ROLE_MAP");
    expect(errorOf({ ...liveBase, ...oidc, OIDC_ROLE_CLAIM: "groups" }).variable).toBe("OIDC_ROLE_MAP");
    expect(errorOf({ ...liveBase, AUTH_MODE: "sso" }).variable).toBe("AUTH_MODE");
    expect(errorOf({ ...liveBase, ...oidc, AUTH_MODE: "saml" }).variable).toBe("AUTH_MODE");
    expect(loadEnv({ ...liveBase, ...oidc, AUTH_MODE: "sso", BREAK_GLASS_ADMIN: "Glass@Corp.example" })).toMatchObject({ authMode: "sso", breakGlassAdmin: "glass@corp.example" });
    expect(errorOf({ ...liveBase, BREAK_GLASS_ADMIN: "nobody" }).variable).toBe("BREAK_GLASS_ADMIN");
    expect(errorOf({ ...liveBase, SMTP_URL: "http://mail.example" }).variable).toBe("SMTP_URL");
    expect(errorOf({ ...liveBase, SMTP_URL: "smtp://mail.example:587" }).variable).toBe("SMTP_FROM");
    expect(loadEnv({ ...liveBase, SMTP_URL: "smtps://u:p@mail.example", SMTP_FROM: "console@example.com" }).smtp).toEqual({ url: "smtps://u:p@mail.example", from: "console@example.com" });
    // A rejected secret is never echoed.
    expect(errorOf({ ...liveBase, SMTP_URL: "http://user:hunter2@mail.example" }).message).not.toContain("hunter2");
  });
});
