// What the login page says when an SSO sign-in was refused (lib/auth/oidc-sign-in.ts's reasons, passed back as
// /login?sso=<reason>). No server-only import: a pure lookup. Anything else in the parameter says nothing.
const MESSAGES: Record<string, string> = {
  "unknown-person": "Your identity provider account has no access to this console. Ask an administrator to invite you.",
  waiting: "Your account is waiting for an administrator to give it a role. You will have access once they do.",
  disabled: "This account is disabled in the console. Ask an administrator if you need access.",
  "invalid-claims": "Single sign-on could not be completed. Try again, or ask an administrator.",
};

export function ssoRefusalMessage(reason: unknown): string | null {
  return typeof reason === "string" && Object.hasOwn(MESSAGES, reason) ? MESSAGES[reason]! : null;
}
