// The sandbox's own configuration (it never reads the console's lib/env.ts): SANDBOX_* variables, validated
// with zod. A bad value becomes one line naming the variable.
import { z } from "zod";

import { MAX_SANDBOX_USERS } from "./data";
import { SANDBOX_DEFAULTS, type SandboxOptions } from "./server";

export class SandboxConfigError extends Error {
  constructor(
    readonly variable: string,
    expectation: string,
  ) {
    super(`Invalid configuration: ${variable} ${expectation}`);
    this.name = "SandboxConfigError";
  }
}

const integer = (min: number, max: number, fallback: number) =>
  z
    .string()
    .trim()
    .optional()
    .transform((text) => (text === undefined || text === "" ? fallback : Number(text)))
    .pipe(
      z
        .number({ message: "must be a whole number" })
        .int({ message: "must be a whole number" })
        .min(min, { message: `must be at least ${min}` })
        .max(max, { message: `must be at most ${max}` }),
    );

const envSchema = z.object({
  SANDBOX_PORT: integer(0, 65535, SANDBOX_DEFAULTS.port),
  SANDBOX_API_KEY: z
    .string()
    .trim()
    .min(1, { message: "must not be empty" })
    .default(SANDBOX_DEFAULTS.apiKey),
  SANDBOX_USERS: integer(1, MAX_SANDBOX_USERS, SANDBOX_DEFAULTS.users),
  SANDBOX_SEED: integer(Number.MIN_SAFE_INTEGER, Number.MAX_SAFE_INTEGER, SANDBOX_DEFAULTS.seed),
  SANDBOX_TOKEN_TTL_SECONDS: integer(1, 86_400, SANDBOX_DEFAULTS.tokenTtlSeconds),
  SANDBOX_LATENCY_MS: integer(0, 600_000, SANDBOX_DEFAULTS.latencyMs),
  SANDBOX_WEBHOOK_SECRET: z
    .string()
    .trim()
    .regex(/^whsec_[A-Za-z0-9+/]+={0,2}$/, { message: "must be a whsec_… secret" })
    .optional(),
  SANDBOX_WEBHOOK_RETRY_SCALE: z
    .string()
    .trim()
    .optional()
    .transform((text) => (text === undefined || text === "" ? SANDBOX_DEFAULTS.webhookRetryScale : Number(text)))
    .pipe(z.number({ message: "must be a number" }).min(0.0001, { message: "must be at least 0.0001" }).max(1, { message: "must be at most 1" })),
});

export type SandboxConfig = Required<Omit<SandboxOptions, "host" | "webhookSecret">> & { webhookSecret?: string };

/** process.env, or any plain map of variables (tests). */
export type Environment = Readonly<Record<string, string | undefined>>;

/** Read SANDBOX_* from `env`; throws SandboxConfigError naming the first bad variable. */
export function loadSandboxConfig(env: Environment = process.env): SandboxConfig {
  const parsed = envSchema.safeParse({
    SANDBOX_PORT: env.SANDBOX_PORT,
    SANDBOX_API_KEY: env.SANDBOX_API_KEY === "" ? undefined : env.SANDBOX_API_KEY,
    SANDBOX_USERS: env.SANDBOX_USERS,
    SANDBOX_SEED: env.SANDBOX_SEED,
    SANDBOX_TOKEN_TTL_SECONDS: env.SANDBOX_TOKEN_TTL_SECONDS,
    SANDBOX_LATENCY_MS: env.SANDBOX_LATENCY_MS,
    SANDBOX_WEBHOOK_SECRET: env.SANDBOX_WEBHOOK_SECRET === "" ? undefined : env.SANDBOX_WEBHOOK_SECRET,
    SANDBOX_WEBHOOK_RETRY_SCALE: env.SANDBOX_WEBHOOK_RETRY_SCALE,
  });
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const variable = String(issue?.path[0] ?? "SANDBOX_*");
    throw new SandboxConfigError(
      variable,
      `${issue?.message ?? "is invalid"} (got ${JSON.stringify(env[variable] ?? "")})`,
    );
  }
  const values = parsed.data;
  return {
    port: values.SANDBOX_PORT,
    apiKey: values.SANDBOX_API_KEY,
    users: values.SANDBOX_USERS,
    seed: values.SANDBOX_SEED,
    tokenTtlSeconds: values.SANDBOX_TOKEN_TTL_SECONDS,
    latencyMs: values.SANDBOX_LATENCY_MS,
    webhookRetryScale: values.SANDBOX_WEBHOOK_RETRY_SCALE,
    ...(values.SANDBOX_WEBHOOK_SECRET === undefined ? {} : { webhookSecret: values.SANDBOX_WEBHOOK_SECRET }),
  };
}

/** The options `startSandbox` takes, from SANDBOX_* (for code that embeds the sandbox, e.g. `npm start`). */
export function sandboxOptionsFromEnv(env: Environment = process.env): SandboxOptions {
  return loadSandboxConfig(env);
}
