// The expected authorization matrix (SECURITY.md AZ-1, AZ-2): every server action, route handler and page the
// build contains, the permission it must demand, and — written out by hand, role by role — who gets in. Nothing
// here is read from lib/auth/policy.ts, defineAction or guardPage: a check removed, narrowed or widened in the code
// (the policy table included) shows up as a mismatch in e2e/authorization-matrix.spec.ts, and
// test/authorization-matrix.test.ts compares this grid with the policy and the actions' sources before any build.
// An action, page or route handler added to the build without a row here fails both.
import type { Permission, Role } from "../lib/auth/policy";

/**
 * "public": anyone, signed in or not. "signed-in": anyone with a session (every role; their own account pages and
 * the second-factor step). A permission: signed-in staff whose role the policy allows. "metrics-token": machines
 * with `Authorization: Bearer $METRICS_TOKEN` only — no session of any role gets in (401).
 */
export type Requirement = Permission | "public" | "signed-in" | "api-key" | "metrics-token";

/**
 * Who gets in, by hand: "public" (anyone), "signed-in" (any role), or the roles the row's permission admits,
 * copied from the README's role table — never computed from `can()`.
 */
export type Allowed = "public" | "signed-in" | "api-key" | "metrics-token" | readonly Role[];

export interface ActionRow {
  /** Source file and export, as the build's server-reference manifest names them (action ids change per build). */
  file: string;
  exportedName: string;
  requires: Requirement;
  allowed: Allowed;
  /**
   * How the matrix calls it as an attacker. "forged": `[{"forged":true}]` (and the same as a multipart form),
   * which every defineAction schema rejects, so an allowed caller gets "Some fields are not valid." and nothing
   * changes. "sign-in": an empty sign-in form (refused before any credential check or throttle counter).
   * "sign-out": ends the caller's session, so it is only called anonymously and with a fresh session of its own.
   * "second-factor": the code-entry actions after the password (they cannot use defineAction: they serve sessions
   * that still owe their second factor); with a forged body, anonymous callers are refused and signed-in ones get
   * a plain answer (never a 500, never a completed second factor).
   * "public": an action for people without a session yet (single sign-on start, invitation links): with a forged
   * body every caller gets a plain answer (never a 500) and nothing changes.
   */
  call: "forged" | "sign-in" | "sign-out" | "second-factor" | "public";
}

export const actionMatrix: ActionRow[] = [
  { file: "app/(auth)/login/actions.ts", exportedName: "signInAction", requires: "public", allowed: "public", call: "sign-in" },
  { file: "app/(auth)/login/actions.ts", exportedName: "ssoSignInAction", requires: "public", allowed: "public", call: "public" },
  { file: "app/(auth)/invitation/actions.ts", exportedName: "viewInvitationAction", requires: "public", allowed: "public", call: "public" },
  { file: "app/(auth)/invitation/actions.ts", exportedName: "acceptInvitationAction", requires: "public", allowed: "public", call: "public" },
  { file: "app/(console)/sign-out-action.ts", exportedName: "signOutAction", requires: "public", allowed: "public", call: "sign-out" },
  { file: "app/(auth)/login/second-factor/actions.ts", exportedName: "confirmEnrolmentAction", requires: "signed-in", allowed: "signed-in", call: "second-factor" },
  { file: "app/(auth)/login/second-factor/actions.ts", exportedName: "verifySecondFactorAction", requires: "signed-in", allowed: "signed-in", call: "second-factor" },
  { file: "app/(console)/account/actions.ts", exportedName: "changePasswordAction", requires: "account.password", allowed: ["staff", "support", "admin"], call: "forged" },
  { file: "app/(console)/alerts/actions.ts", exportedName: "createAlertChannelAction", requires: "alerts.manage", allowed: ["admin"], call: "forged" },
  { file: "app/(console)/alerts/actions.ts", exportedName: "createAlertRuleAction", requires: "alerts.manage", allowed: ["admin"], call: "forged" },
  { file: "app/(console)/alerts/actions.ts", exportedName: "setAlertRuleEnabledAction", requires: "alerts.manage", allowed: ["admin"], call: "forged" },
  { file: "app/(console)/alerts/actions.ts", exportedName: "setAlertChannelEnabledAction", requires: "alerts.manage", allowed: ["admin"], call: "forged" },
  { file: "app/(console)/alerts/actions.ts", exportedName: "setWatchAction", requires: "alerts.watch", allowed: ["support", "admin"], call: "forged" },
  { file: "app/(console)/connectors/actions.ts", exportedName: "refreshConnectorsAction", requires: "connectors.refresh", allowed: ["support", "admin"], call: "forged" },
  { file: "app/(console)/operations/actions.ts", exportedName: "retryJobAction", requires: "operations.manage", allowed: ["admin"], call: "forged" },
  { file: "app/(console)/api-keys/actions.ts", exportedName: "createApiKeyAction", requires: "apiKeys.manage", allowed: ["admin"], call: "forged" },
  { file: "app/(console)/api-keys/actions.ts", exportedName: "revokeApiKeyAction", requires: "apiKeys.manage", allowed: ["admin"], call: "forged" },
  { file: "app/(console)/consents/actions.ts", exportedName: "revokeConsentAction", requires: "consents.revoke", allowed: ["admin"], call: "forged" },
  { file: "app/(console)/jobs/actions.ts", exportedName: "startSweepAction", requires: "sweep.run", allowed: ["admin"], call: "forged" },
  { file: "app/(console)/staff/actions.ts", exportedName: "createStaffAction", requires: "staff.manage", allowed: ["admin"], call: "forged" },
  { file: "app/(console)/staff/actions.ts", exportedName: "changeStaffRoleAction", requires: "staff.manage", allowed: ["admin"], call: "forged" },
  { file: "app/(console)/staff/actions.ts", exportedName: "setStaffStatusAction", requires: "staff.manage", allowed: ["admin"], call: "forged" },
  { file: "app/(console)/staff/actions.ts", exportedName: "resetStaffPasswordAction", requires: "staff.manage", allowed: ["admin"], call: "forged" },
  { file: "app/(console)/staff/actions.ts", exportedName: "resetStaffSecondFactorAction", requires: "staff.manage", allowed: ["admin"], call: "forged" },
  { file: "app/(console)/staff/access-actions.ts", exportedName: "inviteStaffAction", requires: "staff.manage", allowed: ["admin"], call: "forged" },
  { file: "app/(console)/staff/access-actions.ts", exportedName: "setSsoOnlyAction", requires: "staff.manage", allowed: ["admin"], call: "forged" },
  { file: "app/(console)/palette-actions.ts", exportedName: "paletteSearchAction", requires: "users.read", allowed: ["staff", "support", "admin"], call: "forged" },
  { file: "app/(console)/saved-views/actions.ts", exportedName: "saveViewAction", requires: "users.read", allowed: ["staff", "support", "admin"], call: "forged" },
  { file: "app/(console)/saved-views/actions.ts", exportedName: "deleteViewAction", requires: "users.read", allowed: ["staff", "support", "admin"], call: "forged" },
  { file: "app/(console)/users/actions.ts", exportedName: "revealUserFieldAction", requires: "pii.reveal", allowed: ["support", "admin"], call: "forged" },
  { file: "app/(console)/users/actions.ts", exportedName: "importUsersAction", requires: "users.import", allowed: ["support", "admin"], call: "forged" },
  { file: "app/(console)/users/actions.ts", exportedName: "startDirectorySyncAction", requires: "users.sync", allowed: ["support", "admin"], call: "forged" },
  { file: "app/(console)/webhooks/actions.ts", exportedName: "saveWebhookSubscriptionAction", requires: "webhooks.manage", allowed: ["admin"], call: "forged" },
  { file: "app/(console)/webhooks/actions.ts", exportedName: "sendTestWebhookAction", requires: "webhooks.manage", allowed: ["admin"], call: "forged" },
  {
    file: "app/(console)/users/[userId]/connections/[connectionId]/actions.ts",
    exportedName: "purgeConnectionAction",
    requires: "connections.purge",
    allowed: ["admin"],
    call: "forged",
  },
  {
    file: "app/(console)/users/[userId]/connections/[connectionId]/actions.ts",
    exportedName: "refreshConnectionAction",
    requires: "connections.refresh",
    allowed: ["support", "admin"],
    call: "forged",
  },
];

/** Dynamic segments filled with real ids from the sandbox (see the spec). */
export type Segment = "userId" | "connectionId" | "jobId" | "connectorId" | "method" | "nextauth";

export interface PathRow {
  /** The app path as `.next/app-path-routes-manifest.json` names it (route groups included). */
  appPath: string;
  kind: "page" | "route";
  requires: Requirement;
  allowed: Allowed;
  /** Pages only: the login page sends signed-in staff on to the console. */
  signedIn?: "redirect-home";
  /** Pages only: where a signed-in role is sent instead (e.g. an admin, already enrolled, away from enrolment). */
  redirects?: Partial<Record<Role, string>>;
  /** Route handlers only: the method the matrix calls (GET unless said). */
  method?: "POST";
  /** Framework pages that are in the build but never render data: the status every caller gets. */
  framework?: number;
  /**
   * Routes authenticated by a signature instead of a session (Basiq's webhooks): public to every caller, but only a
   * POST with a valid Standard Webhooks signature gets in — a GET is a 405 for everyone, an unsigned POST a 401.
   */
  signature?: "standard-webhooks";
}

export const pathMatrix: PathRow[] = [
  // Pages
  { appPath: "/(auth)/login/page", kind: "page", requires: "public", allowed: "public", signedIn: "redirect-home" },
  // The invitation link's page: anyone (the token in its #fragment decides what it shows).
  { appPath: "/(auth)/invitation/page", kind: "page", requires: "public", allowed: "public" },
  { appPath: "/(auth)/login/second-factor/page", kind: "page", requires: "signed-in", allowed: "signed-in", signedIn: "redirect-home" },
  // Only for a session signed in with a one-time password; any other signed-in session is sent to /account.
  { appPath: "/(auth)/login/change-password/page", kind: "page", requires: "signed-in", allowed: "signed-in", redirects: { staff: "/account", support: "/account", admin: "/account" } },
  { appPath: "/(console)/page", kind: "page", requires: "overview.read", allowed: ["staff", "support", "admin"] },
  { appPath: "/(console)/account/page", kind: "page", requires: "signed-in", allowed: "signed-in" },
  // The storage states' admin has enrolled (admins must); staff and support have not, so they may.
  { appPath: "/(console)/account/second-factor/page", kind: "page", requires: "signed-in", allowed: "signed-in", redirects: { admin: "/account" } },
  { appPath: "/(console)/alerts/page", kind: "page", requires: "alerts.manage", allowed: ["admin"] },
  { appPath: "/(console)/alerts/history/page", kind: "page", requires: "alerts.manage", allowed: ["admin"] },
  { appPath: "/(console)/audit/page", kind: "page", requires: "audit.read", allowed: ["admin"] },
  { appPath: "/(console)/connectors/page", kind: "page", requires: "connectors.read", allowed: ["staff", "support", "admin"] },
  { appPath: "/(console)/connectors/[connectorId]/[method]/page", kind: "page", requires: "connectors.read", allowed: ["staff", "support", "admin"] },
  { appPath: "/(console)/api-keys/page", kind: "page", requires: "apiKeys.manage", allowed: ["admin"] },
  { appPath: "/(console)/consents/page", kind: "page", requires: "consents.read", allowed: ["support", "admin"] },
  { appPath: "/(console)/jobs/page", kind: "page", requires: "jobs.read", allowed: ["support", "admin"] },
  { appPath: "/(console)/jobs/[jobId]/page", kind: "page", requires: "jobs.read", allowed: ["support", "admin"] },
  { appPath: "/(console)/operations/page", kind: "page", requires: "operations.manage", allowed: ["admin"] },
  { appPath: "/(console)/staff/page", kind: "page", requires: "staff.manage", allowed: ["admin"] },
  { appPath: "/(console)/webhooks/page", kind: "page", requires: "webhooks.manage", allowed: ["admin"] },
  { appPath: "/(console)/users/(list)/page", kind: "page", requires: "users.read", allowed: ["staff", "support", "admin"] },
  { appPath: "/(console)/users/import/page", kind: "page", requires: "users.import", allowed: ["support", "admin"] },
  { appPath: "/(console)/users/[userId]/page", kind: "page", requires: "users.read", allowed: ["staff", "support", "admin"] },
  { appPath: "/(console)/users/[userId]/connections/[connectionId]/page", kind: "page", requires: "connections.read", allowed: ["staff", "support", "admin"] },
  { appPath: "/_not-found/page", kind: "page", requires: "public", allowed: "public", framework: 404 },
  { appPath: "/_global-error/page", kind: "page", requires: "public", allowed: "public", framework: 500 },
  // Route handlers (GET: the only method any of them exports, besides Auth.js's own POST endpoints)
  { appPath: "/api/health/route", kind: "route", requires: "public", allowed: "public" },
  // The partner API: a machine API key only (401 without one); a staff session cookie, whatever the role, is a 403.
  { appPath: "/api/v1/users/[userId]/check/route", kind: "route", requires: "api-key", allowed: "api-key", method: "POST" },
  { appPath: "/api/v1/openapi.json/route", kind: "route", requires: "public", allowed: "public" },
  { appPath: "/api/auth/[...nextauth]/route", kind: "route", requires: "public", allowed: "public" },
  { appPath: "/api/directory/sync/route", kind: "route", requires: "users.sync", allowed: ["support", "admin"] },
  { appPath: "/api/jobs/[jobId]/route", kind: "route", requires: "jobs.read", allowed: ["support", "admin"] },
  { appPath: "/api/jobs/sweep/route", kind: "route", requires: "sweep.run", allowed: ["admin"] },
  { appPath: "/api/metrics/route", kind: "route", requires: "metrics-token", allowed: "metrics-token" },
  // Anonymous by design (Basiq has no session): allowed only with a valid signature (see `signature`).
  { appPath: "/api/basiq/webhooks/route", kind: "route", requires: "public", allowed: "public", signature: "standard-webhooks" },
  { appPath: "/(console)/jobs/export/route", kind: "route", requires: "jobs.export", allowed: ["support", "admin"] },
  { appPath: "/(console)/audit/export/route", kind: "route", requires: "audit.read", allowed: ["admin"] },
  { appPath: "/(console)/users/export/route", kind: "route", requires: "users.read", allowed: ["staff", "support", "admin"] },
];

export type Caller = "anonymous" | Role;
export const callers: readonly Caller[] = ["anonymous", "staff", "support", "admin"];

/** What the hand-written grid says a caller gets: refused for want of a session or of a role, or served. */
export function expectedAccess(allowed: Allowed, caller: Caller): "anonymous" | "forbidden" | "allowed" {
  if (allowed === "public") return "allowed";
  if (allowed === "metrics-token") return "anonymous"; // a session is not the bearer token: 401 for everyone
  if (caller === "anonymous") return "anonymous";
  if (allowed === "api-key") return "forbidden"; // staff sessions never open the machine API
  if (allowed === "signed-in") return "allowed";
  return allowed.includes(caller) ? "allowed" : "forbidden";
}

/** "/(console)/users/[userId]/page" → "/users/[userId]" (what the URL looks like, before ids are filled in). */
export function urlPatternOf(appPath: string): string {
  const segments = appPath.split("/").filter((s) => s && !/^\(.*\)$/.test(s));
  segments.pop(); // "page" or "route"
  return `/${segments.join("/")}`;
}
