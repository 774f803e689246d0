// Alert rule types and their parameters (zod-validated on the way in and on the way out of the database).
// Client-safe: no server imports, so the rules page's form can list the kinds and statuses.
import { z } from "zod";

import { CONNECTOR_STATUSES } from "@/lib/vocabulary";

export const RULE_KINDS = {
  connector_status: "Connector status changes to one of the chosen statuses",
  failure_spike: "Failed jobs per institution reach a threshold within a window",
  watched_job_failed: "A job fails for a watched user or connection",
  api_key_refused: "Basiq refuses the console's API key",
  sweep_failed_or_late: "The job sweep fails, or no sweep has completed for too long",
  webhook_failures: "Webhook deliveries keep failing",
} as const;
export type RuleKind = keyof typeof RULE_KINDS;
export const RULE_KIND_LIST = Object.keys(RULE_KINDS) as RuleKind[];

const minutes = z.number().int().min(1).max(7 * 24 * 60);

export const ruleParamSchemas = {
  connector_status: z.strictObject({
    statuses: z.array(z.enum(CONNECTOR_STATUSES)).min(1, { message: "Choose at least one status." }).max(CONNECTOR_STATUSES.length),
  }),
  failure_spike: z.strictObject({
    threshold: z.number().int().min(1).max(100_000),
    windowMinutes: minutes,
  }),
  watched_job_failed: z.strictObject({}),
  api_key_refused: z.strictObject({}),
  sweep_failed_or_late: z.strictObject({ lateAfterMinutes: minutes }),
  webhook_failures: z.strictObject({ threshold: z.number().int().min(1).max(100_000) }),
} satisfies Record<RuleKind, z.ZodType>;

export type RuleParams<K extends RuleKind> = z.infer<(typeof ruleParamSchemas)[K]>;

export const CHANNEL_KINDS = { slack: "Slack-compatible incoming webhook", email: "E-mail (SMTP)" } as const;
export type ChannelKind = keyof typeof CHANNEL_KINDS;

/** A webhook URL: http(s), no credentials in it, at most 2,000 characters. */
export const webhookUrlSchema = z
  .string()
  .trim()
  .max(2000)
  .refine((v) => {
    try {
      const u = new URL(v);
      return (u.protocol === "https:" || u.protocol === "http:") && !u.username && !u.password;
    } catch {
      return false;
    }
  }, { message: "Enter the webhook's full https:// URL." });

/** Comma- or space-separated e-mail addresses, 1 to 20. */
export const recipientsSchema = z
  .string()
  .trim()
  .max(2000)
  .transform((v) => v.split(/[\s,;]+/).filter(Boolean))
  .pipe(z.array(z.email({ message: "Enter e-mail addresses separated by commas." })).min(1, { message: "Enter at least one e-mail address." }).max(20));
