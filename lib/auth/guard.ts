import "server-only";

// How pages and route handlers turn the session checks into HTTP: anonymous → sign-in, forbidden → 403.
import { forbidden, redirect } from "next/navigation";

import { ForbiddenError, UnauthenticatedError } from "@/lib/errors";

import type { Permission } from "./policy";
import { requirePermission, requireStaff, type CurrentStaff } from "./session";

/** For page.tsx: the caller, or a redirect to /login, or the 403 page (HTTP 403). */
export async function guardPage(permission?: Permission, returnTo?: string): Promise<CurrentStaff> {
  try {
    return permission ? await requirePermission(permission) : await requireStaff();
  } catch (e) {
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
    if (e instanceof UnauthenticatedError) {
      return { ok: false, response: Response.json({ error: "Sign in to continue." }, { status: 401 }) };
    }
    if (e instanceof ForbiddenError) {
      return { ok: false, response: Response.json({ error: "You do not have permission to do that." }, { status: 403 }) };
    }
    throw e;
  }
}
