import "server-only";

import { asc } from "drizzle-orm";

import { requirePermission } from "@/lib/auth/session";
import { getDb } from "@/lib/db";
import { staff } from "@/lib/db/schema";

export interface StaffDTO {
  id: string;
  email: string;
  name: string;
  role: string;
  status: string;
  isDemo: boolean;
  lastSignInAt: string | null;
}

export async function listStaff(): Promise<StaffDTO[]> {
  await requirePermission("staff.manage");
  const db = await getDb();
  const rows = await db
    .select({
      id: staff.id,
      email: staff.email,
      name: staff.name,
      role: staff.role,
      status: staff.status,
      isDemo: staff.isDemo,
      lastSignInAt: staff.lastSignInAt,
    })
    .from(staff)
    .orderBy(asc(staff.email));
  return rows.map((r) => ({ ...r, lastSignInAt: r.lastSignInAt?.toISOString() ?? null }));
}
