// Structured logging (pino). Secrets and personal data are redacted by path; callers log ids, never PII.
// Every Basiq failure is logged with userId, connectionId, jobId and Basiq's correlationId (see lib/basiq).
import pino, { type Logger } from "pino";

export const REDACTED_PATHS = [
  "authorization",
  "Authorization",
  "*.authorization",
  "*.Authorization",
  "headers.authorization",
  "*.headers.authorization",
  "token",
  "*.token",
  "access_token",
  "*.access_token",
  "apiKey",
  "*.apiKey",
  "password",
  "*.password",
  "email",
  "*.email",
  "mobile",
  "*.mobile",
  "firstName",
  "*.firstName",
  "lastName",
  "*.lastName",
  "middleName",
  "*.middleName",
  "name",
  "*.name",
];

function level(): string {
  const v = process.env.LOG_LEVEL;
  if (v) return v;
  return process.env.NODE_ENV === "test" || process.env.VITEST ? "silent" : "info";
}

export function createLogger(destination?: pino.DestinationStream): Logger {
  return pino(
    {
      level: level(),
      base: { service: "basiq-console" },
      redact: { paths: REDACTED_PATHS, censor: "[redacted]" },
      timestamp: pino.stdTimeFunctions.isoTime,
    },
    destination,
  );
}

const globalForLog = globalThis as unknown as { basiqConsoleLogger?: Logger };

export const log: Logger = (globalForLog.basiqConsoleLogger ??= createLogger());
