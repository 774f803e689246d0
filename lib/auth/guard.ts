import "server-only";

// How pages and route handlers turn the session checks into HTTP: anonymous → sign-in, second factor owed →
// the second-factor page (pages) or 401 (route handlers), forbidden → 403.
import { forbidden, redirect } from "next/navigation";

import { ForbiddenError, PasswordChangeRequiredError, SecondFactorRequiredError, UnauthenticatedError } from "@/lib/errors";

import type { Permission } from "./policy";
import { requirePermission, requireStaff, type CurrentStaff } from "./session";

export const SECOND_FACTOR_PATH = "/login/second-factor";
/** Where a session signed in with a one-time password must choose a new one. */
export const PASSWORD_CHANGE_PATH = "/login/change-password";

/** Where someone who owes the second factor goes, coming back to `returnTo` afterwards. */
export function secondFactorPath(returnTo?: string): string {
  return returnTo ? `${SECOND_FACTOR_PATH}?callbackUrl=${encodeURIComponent(returnTo)}` : SECOND_FACTOR_PATH;
}

/** For page.tsx: the caller, or a redirect to /login or the second-factor page, or the 403 page (HTTP 403). */
export async function guardPage(permission?: Permission, returnTo?: string): Promise<CurrentStaff> {
  try {
    return permission ? await requirePermission(permission) : await requireStaff();
  } catch (e) {
    if (e instanceof SecondFactorRequiredError) redirect(secondFactorPath(returnTo));
    if (e instanceof PasswordChangeRequiredError) redirect(PASSWORD_CHANGE_PATH);
    if (e instanceof UnauthenticatedError) {
      redirect(returnTo ? `/login?callbackUrl=${encodeURIComponent(returnTo)}` : "/login");
    }
    if (e instanceof ForbiddenError) forbidden();
    throw e;
  }
}

/** For route handlers: the caller, or a JSON 401/403 response. */
export async function guardRoute(
  permission: Permission,
): Promise<{ ok: true; staff: CurrentStaff } | { ok: false; response: Response }> {
  try {
    return { ok: true, staff: await requirePermission(permission) };
  } catch (e) {
    if (e instanceof SecondFactorRequiredError) {
      return { ok: false, response: Response.json({ error: "Complete the second factor first." }, { status: 401 }) };
    }
    if (e instanceof PasswordChangeRequiredError) {
      return { ok: false, response: Response.json({ error: "Choose a new password first." }, { status: 401 }) };
    }
    if (e instanceof UnauthenticatedError) {
      return { ok: false, response: Response.json({ error: "Sign in to continue." }, { status: 401 }) };
    }
    if (e instanceof ForbiddenError) {
      return { ok: false, response: Response.json({ error: "You do not have permission to do that." }, { status: 403 }) };
    }
    throw e;
  }
}
