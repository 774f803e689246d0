// For an OIDC sign-in (SECURITY.md AUTH-1), the second factor is the identity provider's job: its ID token's
// `amr` claim (RFC 8176 authentication method references) says how the person authenticated. No server-only
// import: a pure function, tested on its own. Not wired to a provider yet (see the README's OIDC section).
import type { Role } from "./policy";

/** amr values that by themselves claim more than one factor. */
const MULTI_FACTOR = new Set(["mfa", "mca"]);

/** RFC 8176 values grouped by factor kind: two different kinds are multi-factor (e.g. ["pwd", "otp"]). */
const KIND: Record<string, "knowledge" | "possession" | "inherence"> = {
  pwd: "knowledge",
  pin: "knowledge",
  kba: "knowledge",
  otp: "possession",
  hwk: "possession",
  swk: "possession",
  sms: "possession",
  tel: "possession",
  sc: "possession",
  pop: "possession",
  fpt: "inherence",
  face: "inherence",
  iris: "inherence",
  retina: "inherence",
  vbm: "inherence",
};

/** true: the IdP says several factors; false: it says fewer; null: no usable amr claim at all. */
export function amrIsMultiFactor(amr: unknown): boolean | null {
  if (!Array.isArray(amr) || amr.length === 0) return null;
  const values = amr.filter((v): v is string => typeof v === "string").map((v) => v.toLowerCase());
  if (values.length === 0) return null;
  if (values.some((v) => MULTI_FACTOR.has(v))) return true;
  return new Set(values.map((v) => KIND[v]).filter(Boolean)).size >= 2;
}

/**
 * The OIDC counterpart of lib/auth/session.ts's rule: is this OIDC session complete? Admins need the IdP to say
 * it used several factors; a missing amr counts as "no" for them (fail closed). Others are complete either way.
 */
export function oidcSessionComplete(role: Role, amr: unknown): boolean {
  if (role !== "admin") return true;
  return amrIsMultiFactor(amr) === true;
}
