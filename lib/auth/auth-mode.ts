import "server-only";

// SSO-only mode (issue 19): AUTH_MODE=sso, or the setting admins switch on the Staff page (audited). When on,
// password sign-in is refused to everyone but the break-glass admin named in BREAK_GLASS_ADMIN (who must have a
// TOTP second factor), and the login page offers only the identity provider's button.
import { eq } from "drizzle-orm";
import { z } from "zod";

import { recordAudit } from "@/lib/audit";
import { getDb } from "@/lib/db";
import { consoleSettings } from "@/lib/db/schema";
import { env } from "@/lib/env";
import { UserFacingError } from "@/lib/errors";

import { requirePermission } from "./session";

const SETTING = "sso-only";

export interface AuthModeState {
  ssoOnly: boolean;
  /** Where it comes from: AUTH_MODE=sso cannot be switched off on the Staff page. */
  source: "env" | "setting" | "off";
  ssoConfigured: boolean;
}

export async function authModeState(): Promise<AuthModeState> {
  const e = env();
  const ssoConfigured = e.oidc !== undefined;
  if (e.authMode === "sso") return { ssoOnly: true, source: "env", ssoConfigured };
  const db = await getDb();
  const [row] = await db.select({ value: consoleSettings.value }).from(consoleSettings).where(eq(consoleSettings.key, SETTING)).limit(1);
  // The setting only counts while SSO is configured: without a provider it would lock everyone out.
  const on = ssoConfigured && row?.value === true;
  return { ssoOnly: on, source: on ? "setting" : "off", ssoConfigured };
}

export async function ssoOnly(): Promise<boolean> {
  return (await authModeState()).ssoOnly;
}

/** Whether this e-mail is the break-glass admin's (BREAK_GLASS_ADMIN). */
export function isBreakGlass(email: string): boolean {
  const named = env().breakGlassAdmin;
  return named !== undefined && named === email.trim().toLowerCase();
}

export const ssoOnlySettingSchema = z.object({ enabled: z.enum(["on", "off"]).transform((v) => v === "on") });

/** The Staff page's switch: admins only (checked here as well as by the action), audited. */
export async function setSsoOnly(enabled: boolean): Promise<AuthModeState> {
  const caller = await requirePermission("staff.manage");
  const before = await authModeState();
  if (before.source === "env") throw new UserFacingError("SSO-only mode is set by AUTH_MODE=sso in the environment; change it there.");
  if (enabled && !before.ssoConfigured) throw new UserFacingError("Configure single sign-on (OIDC_ISSUER and its client) before turning on SSO-only mode.");
  const db = await getDb();
  await db
    .insert(consoleSettings)
    .values({ key: SETTING, value: enabled, updatedAt: new Date(), updatedBy: caller.id })
    .onConflictDoUpdate({ target: consoleSettings.key, set: { value: enabled, updatedAt: new Date(), updatedBy: caller.id } });
  await recordAudit({
    actor: { id: caller.id, email: caller.email, role: caller.role },
    action: "settings.sso_only",
    outcome: "success",
    details: { from: before.ssoOnly, to: enabled },
  });
  return authModeState();
}
