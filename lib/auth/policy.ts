// THE permission policy (SECURITY.md AZ-1): one table, role × permission. Every page, server action, route
// handler and data-access function asks `can` (through lib/auth/session.ts); the README mirrors this table and
// lib/auth/policy.test.ts checks every cell.
export const roles = ["staff", "support", "admin"] as const;
export type Role = (typeof roles)[number];

const everyone: readonly Role[] = roles;
const supportAndAdmin: readonly Role[] = ["support", "admin"];
const adminOnly: readonly Role[] = ["admin"];

export const policy = {
  "overview.read": everyone,
  /** Change one's own password (the only thing a session with a one-time password may do). */
  "account.password": everyone,
  "users.read": everyone,
  "connections.read": everyone,
  "connectors.read": everyone,
  "pii.reveal": supportAndAdmin,
  "users.sync": supportAndAdmin,
  "users.import": supportAndAdmin,
  /** The latest failure's code, plain-language reason and "tell the user" sentence on user and connection pages. */
  "jobs.summary": everyone,
  "jobs.read": supportAndAdmin,
  "jobs.export": supportAndAdmin,
  "accounts.details": supportAndAdmin,
  "connectors.refresh": supportAndAdmin,
  "connections.refresh": supportAndAdmin,
  "connections.purge": adminOnly,
  /** The /consents list: consents expiring soon, with masked contacts and the message to send. */
  "consents.read": supportAndAdmin,
  /** Revoke a user's CDR consent at Basiq (irreversible; same protections as purge). */
  "consents.revoke": adminOnly,
  /** Machine API keys for the partner's back end (POST /api/v1/users/{userId}/check). */
  "apiKeys.manage": adminOnly,
  "sweep.run": adminOnly,
  "integration.health": adminOnly,
  /** /operations: the job engine's queues, schedules, runs, failures and dead letters, and retrying a job. */
  "operations.manage": adminOnly,
  /** Basiq webhook subscription, test messages and delivery health (issue 17 §1). */
  "webhooks.manage": adminOnly,
  "audit.read": adminOnly,
  "staff.manage": adminOnly,
  /** Alert rules, channels and the alert history (/alerts). */
  "alerts.manage": adminOnly,
  /** Watch a user or a connection: their failed jobs alert (rule "watched job failed"). */
  "alerts.watch": supportAndAdmin,
} as const satisfies Record<string, readonly Role[]>;

export type Permission = keyof typeof policy;
export const permissionList = Object.keys(policy) as Permission[];

/** Fail closed: an unknown role or permission is a "no". */
export function can(role: unknown, permission: Permission): boolean {
  const allowed: readonly Role[] | undefined = policy[permission];
  return Array.isArray(allowed) && typeof role === "string" && allowed.includes(role as Role);
}

export function isRole(value: unknown): value is Role {
  return typeof value === "string" && (roles as readonly string[]).includes(value);
}
