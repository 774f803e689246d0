import "server-only";

// The caller of this request, re-read from the database every time (SECURITY.md SES-2), and the checks every
// page, action, route handler and data-access function makes. Any failure in a check denies (AZ-5).
import { cache } from "react";

import { eq } from "drizzle-orm";

import { getDb } from "@/lib/db";
import { staff } from "@/lib/db/schema";
import { ForbiddenError, UnauthenticatedError } from "@/lib/errors";

import { getSessionIdentity } from "./identity";
import { can, isRole, permissionList, type Permission, type Role } from "./policy";

export interface CurrentStaff {
  id: string;
  email: string;
  name: string;
  role: Role;
  signedInAt: number;
}

export const getCurrentStaff = cache(async (): Promise<CurrentStaff | null> => {
  const identity = await getSessionIdentity();
  if (!identity) return null;
  const db = await getDb();
  const [row] = await db
    .select({ id: staff.id, email: staff.email, name: staff.name, role: staff.role, status: staff.status })
    .from(staff)
    .where(eq(staff.id, identity.staffId))
    .limit(1);
  if (!row || row.status !== "active" || !isRole(row.role)) return null;
  return { id: row.id, email: row.email, name: row.name, role: row.role, signedInAt: identity.signedInAt };
});

export async function requireStaff(): Promise<CurrentStaff> {
  const current = await getCurrentStaff();
  if (!current) throw new UnauthenticatedError();
  return current;
}

export async function requirePermission(permission: Permission): Promise<CurrentStaff> {
  const current = await requireStaff();
  if (!can(current.role, permission)) throw new ForbiddenError(permission);
  return current;
}

/** Server-computed capability flags for the UI (hiding a button is UX only; the server re-checks). */
export function capabilities(role: Role): Record<Permission, boolean> {
  return Object.fromEntries(permissionList.map((p) => [p, can(role, p)])) as Record<Permission, boolean>;
}
