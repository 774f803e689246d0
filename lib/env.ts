// The only reader of process.env for the console (the sandbox has its own, see sandbox/config.ts).
// Every variable is validated here; a bad one stops start-up with one line naming it.
// Two modes: "live" when BASIQ_API_KEY is set (real Basiq, every secret must come from the environment)
// and "sandbox" when it is unset (local simulator, demo accounts, development secrets generated into DATA_DIR).
import { createHmac, randomBytes } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";

import proxyaddr from "proxy-addr";
import { z } from "zod";

import { DEFAULT_TIME_ZONE, isTimeZone } from "./format";

export class ConfigError extends Error {
  constructor(
    readonly variable: string,
    expectation: string,
  ) {
    super(`Invalid configuration: ${variable} ${expectation}`);
    this.name = "ConfigError";
  }
}

const base64Key32 = z
  .string()
  .trim()
  .refine((v) => /^[A-Za-z0-9+/]+={0,2}$/.test(v) && Buffer.from(v, "base64").length === 32, {
    message: "must be 32 bytes encoded as base64 (generate one with: openssl rand -base64 32)",
  });

/** `<keyId>:<base64 32 bytes>`; the key id is stored with every ciphertext so keys can rotate. */
const encryptionKeySpec = z
  .string()
  .trim()
  .regex(/^[A-Za-z0-9_-]{1,16}:.+$/, {
    message: "must look like <keyId>:<base64 32 bytes>, e.g. k1:$(openssl rand -base64 32)",
  })
  .refine((v) => base64Key32.safeParse(v.slice(v.indexOf(":") + 1)).success, {
    message: "must look like <keyId>:<base64 32 bytes> (the key part is not 32 bytes of base64)",
  });

/** Standard Webhooks secret as Basiq issues it: `whsec_` + base64 of the HMAC key. */
const webhookSecretSpec = z
  .string()
  .trim()
  .refine((v) => /^whsec_[A-Za-z0-9+/]+={0,2}$/.test(v) && Buffer.from(v.slice(6), "base64").length >= 16, {
    message: "must be the whsec_… secret Basiq issued for the webhook (whsec_ + base64 of at least 16 bytes)",
  });

const optionalString = z
  .string()
  .trim()
  .transform((v) => (v === "" ? undefined : v))
  .optional();

const rawSchema = z.object({
  NODE_ENV: z.enum(["development", "production", "test"]).default("development"),
  PORT: z.coerce.number().int().min(1).max(65535).default(3000),
  // Address `next start` binds (scripts/start.ts): unset = 127.0.0.1 in sandbox mode, every interface in live mode.
  HOSTNAME: optionalString.pipe(
    z
      .string()
      .regex(/^[A-Za-z0-9.:_-]{1,253}$/, { message: "must be a host name or an IP address to listen on (e.g. 127.0.0.1 or 0.0.0.0)" })
      .optional(),
  ),
  DATA_DIR: z.string().trim().min(1).default(".data"),
  DATABASE_URL: optionalString.pipe(
    z
      .string()
      .regex(/^postgres(ql)?:\/\/[^\s]+$/, { message: "must be a postgres:// or postgresql:// URL" })
      .optional(),
  ),
  // The owner role that runs the migrations; DATABASE_URL's role then gets only what the app needs (INSERT and
  // SELECT on audit_events). Unset: DATABASE_URL migrates too (one role; a warning in live mode).
  DATABASE_MIGRATION_URL: optionalString.pipe(
    z
      .string()
      .regex(/^postgres(ql)?:\/\/[^\s]+$/, { message: "must be a postgres:// or postgresql:// URL" })
      .optional(),
  ),
  BASIQ_API_KEY: optionalString,
  BASIQ_API_URL: optionalString.pipe(z.url({ message: "must be an http(s) URL" }).optional()),
  SANDBOX_PORT: z.coerce.number().int().min(1).max(65535).default(4010),
  SANDBOX_API_KEY: z.string().min(1).default("sandbox-key"),
  AUTH_SECRET: optionalString.pipe(
    z.string().min(32, { message: "must be at least 32 characters (openssl rand -base64 33)" }).optional(),
  ),
  ENCRYPTION_KEY: optionalString.pipe(encryptionKeySpec.optional()),
  ENCRYPTION_PREVIOUS_KEYS: optionalString.pipe(
    z
      .string()
      .refine((v) => v.split(",").every((k) => encryptionKeySpec.safeParse(k).success), {
        message: "must be a comma-separated list of <keyId>:<base64 32 bytes>",
      })
      .optional(),
  ),
  BLIND_INDEX_KEY: optionalString.pipe(base64Key32.optional()),
  // Verifies Basiq's webhook deliveries (POST /api/basiq/webhooks); unset in live mode = the route answers 404.
  BASIQ_WEBHOOK_SECRET: optionalString.pipe(webhookSecretSpec.optional()),
  // The secret being rotated out: still accepted until Basiq signs with the new one only.
  BASIQ_WEBHOOK_SECRET_PREVIOUS: optionalString.pipe(webhookSecretSpec.optional()),
  DEMO_PASSWORD: z.string().min(8, { message: "must be at least 8 characters" }).default("demo-password"),
  // Proxies whose X-Forwarded-For is believed (lib/security/client-ip.ts): comma-separated IPs/CIDRs, or
  // proxy-addr's names loopback, linklocal, uniquelocal. Empty = none: the socket address is the client.
  TRUSTED_PROXIES: z
    .string()
    .default("")
    .transform((v) => v.split(",").map((x) => x.trim()).filter(Boolean))
    .refine(
      (list) => {
        try {
          proxyaddr.compile(list);
          return true;
        } catch {
          return false;
        }
      },
      { message: "must be a comma-separated list of IP addresses or CIDRs (e.g. 10.0.0.0/8,127.0.0.1)" },
    ),
  LOG_LEVEL: z.enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"]).default("info"),
  // Per-attempt timeout of every Basiq call, and the longest Retry-After waited out before a retry (longer ones
  // fail at once). Lowered by the e2e suite so a hung Basiq resolves in seconds; empty = default.
  BASIQ_TIMEOUT_MS: z.preprocess(
    (v) => (typeof v === "string" && v.trim() === "" ? undefined : v),
    z.coerce.number().int().min(500).max(60_000).default(10_000),
  ),
  BASIQ_MAX_RETRY_WAIT_MS: z.preprocess(
    (v) => (typeof v === "string" && v.trim() === "" ? undefined : v),
    z.coerce.number().int().min(0).max(60_000).default(60_000),
  ),
  // Total time a page may spend on Basiq (retries included) before it renders the stored copy under a banner.
  BASIQ_PAGE_DEADLINE_MS: z.preprocess(
    (v) => (typeof v === "string" && v.trim() === "" ? undefined : v),
    z.coerce.number().int().min(1_000).max(120_000).default(8_000),
  ),
  // Basiq calls in flight at once per lane: interactive (pages, actions) and background (sweep, sync, connector
  // refresh) never wait for each other's slots; one route holds at most 80 % of its lane. Empty = default.
  BASIQ_INTERACTIVE_MAX_IN_FLIGHT: z.preprocess(
    (v) => (typeof v === "string" && v.trim() === "" ? undefined : v),
    z.coerce.number().int().min(1).max(256).default(32),
  ),
  BASIQ_BACKGROUND_MAX_IN_FLIGHT: z.preprocess(
    (v) => (typeof v === "string" && v.trim() === "" ? undefined : v),
    z.coerce.number().int().min(1).max(256).default(10),
  ),
  // Basiq calls in flight across every console instance for the sweep (the job engine's batch slots); empty = no cap.
  BASIQ_FLEET_MAX_IN_FLIGHT: z.preprocess(
    (v) => (typeof v === "string" && v.trim() === "" ? undefined : v),
    z.coerce.number().int().min(8).max(4096).optional(),
  ),
  // A sweep batch held longer than this by an instance (it died) is retried by another, from its checkpoint.
  SWEEP_BATCH_EXPIRE_SECONDS: z.preprocess(
    (v) => (typeof v === "string" && v.trim() === "" ? undefined : v),
    z.coerce.number().int().min(20).max(24 * 3600).default(600),
  ),
  CONNECTOR_CACHE_SECONDS: z.coerce.number().int().min(0).max(24 * 3600).default(300),
  CONNECTOR_REFRESH_MINUTES: z.coerce.number().int().min(0).max(24 * 60).default(15),
  // Minutes between job sweeps on the web server; 0 = off, empty = default. At most 14 days (timers cap at ~24.8).
  SWEEP_INTERVAL_MINUTES: z.preprocess(
    (v) => (typeof v === "string" && v.trim() === "" ? undefined : v),
    z.coerce.number().int().min(0).max(20_160).default(1440),
  ),
  // Bearer token of GET /api/metrics (Prometheus); unset = the endpoint answers 404.
  METRICS_TOKEN: optionalString.pipe(
    z.string().min(16, { message: "must be at least 16 characters (openssl rand -base64 24)" }).optional(),
  ),
  // OTLP/HTTP collector base URL (e.g. http://otel-collector:4318); unset = no traces are exported.
  OTEL_EXPORTER_OTLP_ENDPOINT: optionalString.pipe(z.url({ message: "must be an http(s) URL, e.g. http://127.0.0.1:4318" }).optional()),
  // Alerts by e-mail go through SMTP_URL (below, with the invitations); this is their From address.
  ALERTS_FROM: optionalString.pipe(z.email({ message: "must be an e-mail address" }).default("alerts@console.localhost")),
  // Minutes between alert-rule evaluations (failure spikes, watched jobs, sweep, API key); 0 = off.
  ALERTS_EVALUATE_MINUTES: z.preprocess(
    (v) => (typeof v === "string" && v.trim() === "" ? undefined : v),
    z.coerce.number().int().min(0).max(1440).default(1),
  ),
  // The time zone every date in the console is shown in (named in the footer and in tooltips); empty = default.
  CONSOLE_TIME_ZONE: optionalString.pipe(
    z
      .string()
      .refine(isTimeZone, { message: "must be an IANA time zone name, e.g. Australia/Sydney, Australia/Perth or UTC" })
      .default(DEFAULT_TIME_ZONE),
  ),
  // --- Single sign-on (issue 19) ---
  OIDC_ISSUER: optionalString.pipe(z.url({ message: "must be the identity provider's issuer URL (https://…)" }).optional()),
  OIDC_CLIENT_ID: optionalString.pipe(z.string().max(512).optional()),
  OIDC_CLIENT_SECRET: optionalString.pipe(z.string().max(2048).optional()),
  OIDC_DISPLAY_NAME: optionalString.pipe(z.string().max(60, { message: "must be at most 60 characters" }).optional()),
  OIDC_ALLOWED_DOMAINS: z
    .string()
    .default("")
    .transform((v) => v.split(",").map((x) => x.trim().toLowerCase()).filter(Boolean))
    .refine((list) => list.every((d) => /^[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)+$/.test(d)), {
      message: "must be a comma-separated list of e-mail domains (e.g. example.com,example.com.au)",
    }),
  OIDC_ROLE_CLAIM: optionalString.pipe(
    z.string().regex(/^[A-Za-z0-9_:./-]{1,100}$/, { message: "must be the name of a claim in the ID token (e.g. groups)" }).optional(),
  ),
  OIDC_ROLE_MAP: z
    .string()
    .default("")
    .transform((v) => v.split(",").map((x) => x.trim()).filter(Boolean))
    .refine((pairs) => pairs.every((p) => /^[^=]{1,200}=(staff|support|admin)$/.test(p)), {
      message: "must be a comma-separated list of <group>=<role> with role staff, support or admin (e.g. basiq-admins=admin)",
    }),
  AUTH_MODE: z.enum(["password", "sso"], { message: "must be password or sso" }).default("password"),
  BREAK_GLASS_ADMIN: optionalString.pipe(z.string().toLowerCase().max(254).email({ message: "must be the e-mail of one admin account" }).optional()),
  // --- Mail (invitations; alerts) ---
  SMTP_URL: optionalString.pipe(
    z
      .string()
      .regex(/^smtps?:\/\/[^\s]+$/, { message: "must be an smtp:// or smtps:// URL (e.g. smtp://user:pass@mail.example.com:587)" })
      .optional(),
  ),
  SMTP_FROM: optionalString.pipe(z.string().max(320).optional()),
});

export interface EncryptionKey {
  id: string;
  key: Buffer;
}

export interface Env {
  nodeEnv: "development" | "production" | "test";
  port: number;
  /** HOSTNAME: the address to listen on; undefined = every interface (Next's default). */
  hostname: string | undefined;
  dataDir: string;
  databaseUrl: string | undefined;
  /** Owner role for migrations (DATABASE_MIGRATION_URL); undefined = DATABASE_URL migrates. */
  databaseMigrationUrl: string | undefined;
  basiq: { mode: "live" | "sandbox"; apiUrl: string; apiKey: string };
  sandboxPort: number;
  /** Per-attempt timeout of a Basiq call (BASIQ_TIMEOUT_MS). */
  basiqTimeoutMs: number;
  /** Longest Retry-After honoured before a retry (BASIQ_MAX_RETRY_WAIT_MS). */
  basiqMaxRetryWaitMs: number;
  /** Total Basiq time budget of one page, retries included (BASIQ_PAGE_DEADLINE_MS). */
  basiqPageDeadlineMs: number;
  /** Basiq calls in flight per lane (BASIQ_INTERACTIVE_MAX_IN_FLIGHT, BASIQ_BACKGROUND_MAX_IN_FLIGHT). */
  basiqMaxInFlight: { interactive: number; background: number };
  authSecret: string;
  /**
   * Webhook verification secrets, current first (BASIQ_WEBHOOK_SECRET, then BASIQ_WEBHOOK_SECRET_PREVIOUS); empty =
   * the receiver answers 404. In sandbox mode without BASIQ_WEBHOOK_SECRET: one derived from AUTH_SECRET.
   */
  webhookSecrets: string[];
  encryption: { current: EncryptionKey; previous: EncryptionKey[]; blindIndexKey: Buffer };
  demoPassword: string;
  logLevel: z.infer<typeof rawSchema>["LOG_LEVEL"];
  /** TRUSTED_PROXIES: addresses/CIDRs whose X-Forwarded-For is believed. */
  trustedProxies: string[];
  sweepIntervalMinutes: number;
  /** BASIQ_FLEET_MAX_IN_FLIGHT: the sweep's calls in flight across the fleet; undefined = no cap. */
  basiqFleetMaxInFlight: number | undefined;
  /** SWEEP_BATCH_EXPIRE_SECONDS: a batch held this long is retried elsewhere. */
  sweepBatchExpireSeconds: number;
  connectorCacheSeconds: number;
  connectorRefreshMinutes: number;
  /** IANA zone all dates are shown in (CONSOLE_TIME_ZONE). */
  consoleTimeZone: string;
  /** OIDC single sign-on; undefined = not configured (password sign-in only). */
  oidc: OidcConfig | undefined;
  /** AUTH_MODE: "sso" refuses password sign-in to everyone but the break-glass admin. */
  authMode: "password" | "sso";
  /** BREAK_GLASS_ADMIN: the one admin e-mail still allowed a password when SSO-only mode is on. */
  breakGlassAdmin: string | undefined;
  /** SMTP_URL and SMTP_FROM; undefined = no mail (invitation links are shown once to the admin instead). */
  smtp: { url: string; from: string } | undefined;
  /** METRICS_TOKEN: bearer token of /api/metrics; undefined = endpoint off (404). */
  metricsToken: string | undefined;
  /** OTEL_EXPORTER_OTLP_ENDPOINT: traces exported over OTLP/HTTP when set. */
  otlpEndpoint: string | undefined;
  /** SMTP_URL and ALERTS_FROM: the e-mail alert channel's relay and sender. */
  smtpUrl: string | undefined;
  alertsFrom: string;
  /** ALERTS_EVALUATE_MINUTES: 0 = rules are evaluated only by events (connector status change, hooks). */
  alertsEvaluateMinutes: number;
}

export interface OidcConfig {
  issuer: string;
  clientId: string;
  clientSecret: string;
  displayName: string;
  /** Lower-case e-mail domains whose verified addresses may create a waiting (role-less) row. */
  allowedDomains: string[];
  /** The claim holding the groups, and group → role; undefined = roles are set by hand only. */
  roleClaim: string | undefined;
  roleMap: Record<string, "staff" | "support" | "admin">;
}

function parseKeySpec(spec: string): EncryptionKey {
  const i = spec.indexOf(":");
  return { id: spec.slice(0, i), key: Buffer.from(spec.slice(i + 1).trim(), "base64") };
}

interface DevSecrets {
  authSecret: string;
  encryptionKey: string;
  blindIndexKey: string;
}

/** Sandbox mode only: secrets generated once and kept in the git-ignored data folder. */
function loadDevSecrets(dataDir: string): DevSecrets {
  const file = path.join(dataDir, "dev-secrets.json");
  if (existsSync(file)) {
    const parsed = z
      .object({ authSecret: z.string(), encryptionKey: encryptionKeySpec, blindIndexKey: base64Key32 })
      .safeParse(JSON.parse(readFileSync(file, "utf8")));
    if (parsed.success) return parsed.data;
    throw new ConfigError("DATA_DIR", `holds an unreadable ${file}; delete it to generate new development secrets`);
  }
  const secrets: DevSecrets = {
    authSecret: randomBytes(33).toString("base64"),
    encryptionKey: `dev1:${randomBytes(32).toString("base64")}`,
    blindIndexKey: randomBytes(32).toString("base64"),
  };
  mkdirSync(dataDir, { recursive: true });
  writeFileSync(file, JSON.stringify(secrets, null, 2), { mode: 0o600, flag: "wx" });
  return secrets;
}

export function loadEnv(source: Record<string, string | undefined> = process.env): Env {
  const parsed = rawSchema.safeParse(source);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new ConfigError(String(issue.path[0] ?? "environment"), issue.message);
  }
  const raw = parsed.data;
  const live = raw.BASIQ_API_KEY !== undefined;
  const dataDir = path.resolve(raw.DATA_DIR);

  let authSecret = raw.AUTH_SECRET;
  let encryptionKey = raw.ENCRYPTION_KEY;
  let blindIndexKey = raw.BLIND_INDEX_KEY;
  if (live) {
    // Real Basiq means real end-user data: no generated secrets, ever.
    if (!authSecret) throw new ConfigError("AUTH_SECRET", "is required when BASIQ_API_KEY is set");
    if (!encryptionKey) throw new ConfigError("ENCRYPTION_KEY", "is required when BASIQ_API_KEY is set");
    if (!blindIndexKey) throw new ConfigError("BLIND_INDEX_KEY", "is required when BASIQ_API_KEY is set");
  } else if (!authSecret || !encryptionKey || !blindIndexKey) {
    const dev = loadDevSecrets(dataDir);
    authSecret ??= dev.authSecret;
    encryptionKey ??= dev.encryptionKey;
    blindIndexKey ??= dev.blindIndexKey;
  }

  if (raw.DATABASE_MIGRATION_URL && !raw.DATABASE_URL) {
    throw new ConfigError("DATABASE_MIGRATION_URL", "needs DATABASE_URL (the runtime role) to be set too");
  }

  if (raw.BASIQ_WEBHOOK_SECRET_PREVIOUS && !raw.BASIQ_WEBHOOK_SECRET) {
    throw new ConfigError("BASIQ_WEBHOOK_SECRET_PREVIOUS", "needs BASIQ_WEBHOOK_SECRET (the new secret) to be set too");
  }
  const webhookSecret = raw.BASIQ_WEBHOOK_SECRET ?? (live ? undefined : sandboxWebhookSecret(authSecret));
  const webhookSecrets = [webhookSecret, raw.BASIQ_WEBHOOK_SECRET_PREVIOUS].filter((v): v is string => v !== undefined);

  const current = parseKeySpec(encryptionKey);
  const previous = (raw.ENCRYPTION_PREVIOUS_KEYS?.split(",") ?? []).map(parseKeySpec);
  if (previous.some((k) => k.id === current.id)) {
    throw new ConfigError("ENCRYPTION_PREVIOUS_KEYS", `must not reuse the current key id "${current.id}"`);
  }

  const oidcParts = [raw.OIDC_ISSUER, raw.OIDC_CLIENT_ID, raw.OIDC_CLIENT_SECRET];
  if (oidcParts.some(Boolean) && !oidcParts.every(Boolean)) {
    const missing = ["OIDC_ISSUER", "OIDC_CLIENT_ID", "OIDC_CLIENT_SECRET"][oidcParts.findIndex((v) => !v)]!;
    throw new ConfigError(missing, "is required when any of OIDC_ISSUER, OIDC_CLIENT_ID, OIDC_CLIENT_SECRET is set");
  }
  if (raw.OIDC_ISSUER && live && !raw.OIDC_ISSUER.startsWith("https://")) {
    throw new ConfigError("OIDC_ISSUER", "must be an https:// URL when BASIQ_API_KEY is set");
  }
  if ((raw.OIDC_ROLE_CLAIM === undefined) !== (raw.OIDC_ROLE_MAP.length === 0)) {
    throw new ConfigError(raw.OIDC_ROLE_CLAIM ? "OIDC_ROLE_MAP" : "OIDC_ROLE_CLAIM", "must be set together with " + (raw.OIDC_ROLE_CLAIM ? "OIDC_ROLE_CLAIM" : "OIDC_ROLE_MAP"));
  }
  if (raw.AUTH_MODE === "sso" && !raw.OIDC_ISSUER) throw new ConfigError("AUTH_MODE", "sso needs OIDC_ISSUER, OIDC_CLIENT_ID and OIDC_CLIENT_SECRET");
  if (raw.SMTP_URL && !raw.SMTP_FROM) throw new ConfigError("SMTP_FROM", "is required when SMTP_URL is set (e.g. Basiq console <console@example.com>)");
  const roleMap: Record<string, "staff" | "support" | "admin"> = {};
  for (const pair of raw.OIDC_ROLE_MAP) {
    const i = pair.lastIndexOf("=");
    roleMap[pair.slice(0, i).trim()] = pair.slice(i + 1) as "staff" | "support" | "admin";
  }

  return {
    nodeEnv: raw.NODE_ENV,
    port: raw.PORT,
    hostname: raw.HOSTNAME ?? (live ? undefined : "127.0.0.1"),
    dataDir,
    databaseUrl: raw.DATABASE_URL,
    databaseMigrationUrl: raw.DATABASE_MIGRATION_URL,
    basiq: live
      ? { mode: "live", apiUrl: raw.BASIQ_API_URL ?? "https://au-api.basiq.io", apiKey: raw.BASIQ_API_KEY! }
      : {
          mode: "sandbox",
          apiUrl: raw.BASIQ_API_URL ?? `http://127.0.0.1:${raw.SANDBOX_PORT}`,
          apiKey: raw.SANDBOX_API_KEY,
        },
    sandboxPort: raw.SANDBOX_PORT,
    basiqTimeoutMs: raw.BASIQ_TIMEOUT_MS,
    basiqMaxRetryWaitMs: raw.BASIQ_MAX_RETRY_WAIT_MS,
    basiqPageDeadlineMs: raw.BASIQ_PAGE_DEADLINE_MS,
    basiqMaxInFlight: {
      interactive: raw.BASIQ_INTERACTIVE_MAX_IN_FLIGHT,
      background: raw.BASIQ_BACKGROUND_MAX_IN_FLIGHT,
    },
    authSecret,
    webhookSecrets,
    encryption: { current, previous, blindIndexKey: Buffer.from(blindIndexKey, "base64") },
    demoPassword: raw.DEMO_PASSWORD,
    logLevel: raw.LOG_LEVEL,
    trustedProxies: raw.TRUSTED_PROXIES,
    sweepIntervalMinutes: raw.SWEEP_INTERVAL_MINUTES,
    basiqFleetMaxInFlight: raw.BASIQ_FLEET_MAX_IN_FLIGHT,
    sweepBatchExpireSeconds: raw.SWEEP_BATCH_EXPIRE_SECONDS,
    connectorCacheSeconds: raw.CONNECTOR_CACHE_SECONDS,
    connectorRefreshMinutes: raw.CONNECTOR_REFRESH_MINUTES,
    consoleTimeZone: raw.CONSOLE_TIME_ZONE,
    oidc: raw.OIDC_ISSUER
      ? {
          issuer: raw.OIDC_ISSUER,
          clientId: raw.OIDC_CLIENT_ID!,
          clientSecret: raw.OIDC_CLIENT_SECRET!,
          displayName: raw.OIDC_DISPLAY_NAME ?? "single sign-on",
          allowedDomains: raw.OIDC_ALLOWED_DOMAINS,
          roleClaim: raw.OIDC_ROLE_CLAIM,
          roleMap,
        }
      : undefined,
    authMode: raw.AUTH_MODE,
    breakGlassAdmin: raw.BREAK_GLASS_ADMIN,
    smtp: raw.SMTP_URL ? { url: raw.SMTP_URL, from: raw.SMTP_FROM! } : undefined,
    metricsToken: raw.METRICS_TOKEN,
    otlpEndpoint: raw.OTEL_EXPORTER_OTLP_ENDPOINT,
    smtpUrl: raw.SMTP_URL,
    alertsFrom: raw.ALERTS_FROM,
    alertsEvaluateMinutes: raw.ALERTS_EVALUATE_MINUTES,
  };
}

/** Sandbox mode: the webhook secret the console gives the local sandbox, stable across restarts (derived). */
export function sandboxWebhookSecret(authSecret: string): string {
  return `whsec_${createHmac("sha256", authSecret).update("basiq-sandbox-webhook-secret").digest("base64")}`;
}

let cached: Env | undefined;

/** The validated configuration of this process, read once. */
export function env(): Env {
  cached ??= loadEnv();
  return cached;
}

/** Tests only: forget the cached configuration so the next env() re-reads process.env. */
export function resetEnvForTests(): void {
  cached = undefined;
}
