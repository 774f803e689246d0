import type { Role } from "./policy";

/**
 * THE second-factor rule, in one place: a session is complete when its second factor was verified, or when the
 * person has none enrolled and is not an admin. Admins must enrol; anyone who enrolled is asked at every sign-in.
 * A pure function (no session or database), so sign-in can judge a fresh password sign-in with it too.
 */
export function secondFactorNeed(role: Role, enrolled: boolean, verifiedInSession: boolean): "none" | "enrol" | "verify" {
  if (verifiedInSession) return "none";
  if (enrolled) return "verify";
  return role === "admin" ? "enrol" : "none";
}
