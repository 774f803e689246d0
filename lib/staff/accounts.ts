import "server-only";

// Creating staff accounts (CLI, seeding, the staff page). Passwords are hashed here, never stored in clear.
import { sql } from "drizzle-orm";
import { z } from "zod";

import { hashPassword } from "@/lib/auth/password";
import { roles } from "@/lib/auth/policy";
import type { Database } from "@/lib/db";
import { staff } from "@/lib/db/schema";
import { UserFacingError } from "@/lib/errors";

import { demoAccounts } from "./demo";

export const newStaffSchema = z.object({
  email: z.string().trim().toLowerCase().max(254).email({ message: "must be an e-mail address" }),
  name: z
    .string()
    .trim()
    .min(1, { message: "is required" })
    .max(120, { message: "must be at most 120 characters" })
    // Printable text only: PostgreSQL refuses NUL in text, and bidi overrides can disguise a name in the audit log.
    .refine((v) => !/[\u0000-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/.test(v) && v.isWellFormed(), {
      message: "must not contain control or text-direction characters",
    }),
  role: z.enum(roles, { message: `must be one of ${roles.join(", ")}` }),
  password: z.string().min(12, { message: "must be at least 12 characters" }).max(1024),
});

export type NewStaff = z.infer<typeof newStaffSchema>;

/** The e-mail is taken: a refusal the person can act on (the staff page shows it on the e-mail field). */
export class DuplicateStaffEmailError extends UserFacingError {
  static override readonly brandName: string = "DuplicateStaffEmailError";
  constructor(email: string) {
    super(`A staff account with the e-mail ${email} already exists.`);
  }
}

/** A generated password works for this long, and only to sign in once and choose a new one. */
export const ONE_TIME_PASSWORD_TTL_MS = 24 * 60 * 60_000;

/** The columns that make a password one-time: it expires in 24 h and must be changed at the first sign-in. */
export function oneTimePasswordColumns(now = new Date()) {
  return { passwordChangeRequired: true, passwordExpiresAt: new Date(now.getTime() + ONE_TIME_PASSWORD_TTL_MS) };
}

/** `oneTime`: the password was generated (shown once to someone else), so it expires and must be changed. */
export async function createStaff(db: Database, input: NewStaff, options: { oneTime?: boolean } = {}): Promise<{ id: string }> {
  const data = newStaffSchema.parse(input);
  const [row] = await db
    .insert(staff)
    .values({
      email: data.email,
      name: data.name,
      role: data.role,
      passwordHash: await hashPassword(data.password),
      ...(options.oneTime ? oneTimePasswordColumns() : {}),
    })
    .onConflictDoNothing({ target: staff.email })
    .returning({ id: staff.id });
  if (!row) throw new DuplicateStaffEmailError(data.email);
  return row;
}

/**
 * Sandbox mode only: the three demo accounts, with the current DEMO_PASSWORD. Their role and status are left
 * alone when they exist (an admin may have changed them). They are flagged is_demo and refused in live mode.
 */
export async function ensureDemoAccounts(db: Database, password: string): Promise<void> {
  for (const account of demoAccounts) {
    await db
      .insert(staff)
      .values({ ...account, passwordHash: await hashPassword(password), isDemo: true })
      .onConflictDoUpdate({
        target: staff.email,
        set: { passwordHash: sql`excluded.password_hash`, isDemo: true },
        setWhere: sql`${staff.isDemo} = true`,
      });
  }
}
