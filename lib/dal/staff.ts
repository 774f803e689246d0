import "server-only";

// Staff management (admins). Every function checks staff.manage before any I/O and re-parses its input (server
// actions are public endpoints). Role and status changes run in a transaction under one advisory lock, so two
// admins demoting each other at the same moment cannot leave the console without an active admin. Every change,
// and every refusal by that rule, is audited with the target's id and e-mail; never with a password or its hash.
import { and, asc, count, eq, isNotNull, ne } from "drizzle-orm";
import type { z } from "zod";

import { recordAudit } from "@/lib/audit";
import { generatePassword, hashPassword } from "@/lib/auth/password";
import type { Role } from "@/lib/auth/policy";
import { requirePermission, type CurrentStaff } from "@/lib/auth/session";
import { removeSecondFactor } from "@/lib/auth/second-factor";
import { revokeStaffSessions } from "@/lib/auth/server-sessions";
import { clearAccountFailures } from "@/lib/auth/throttle";
import { getDb } from "@/lib/db";
import { staff, staffSecondFactors } from "@/lib/db/schema";
import { NotFoundError, UserFacingError } from "@/lib/errors";
import { createStaff, oneTimePasswordColumns } from "@/lib/staff/accounts";
import {
  staffCreateSchema,
  staffPasswordResetSchema,
  staffRoleChangeSchema,
  staffStatusChangeSchema,
  type StaffStatus,
} from "@/lib/staff/schemas";
import { textLockKeys, xactLock } from "@/lib/db/advisory-locks";

export interface StaffDTO {
  id: string;
  email: string;
  name: string;
  /** Null: created by a first SSO sign-in, waiting for an administrator to give a role (lib/auth/oidc-sign-in.ts). */
  role: Role | null;
  status: StaffStatus;
  isDemo: boolean;
  lastSignInAt: string | null;
}

/** Refused because no active admin would be left. */
export class LastActiveAdminError extends UserFacingError {
  static override readonly brandName: string = "LastActiveAdminError";
  constructor(
    message: string,
    readonly targetEmail: string,
  ) {
    super(message);
  }
}

const dtoColumns = {
  id: staff.id,
  email: staff.email,
  name: staff.name,
  role: staff.role,
  status: staff.status,
  isDemo: staff.isDemo,
  lastSignInAt: staff.lastSignInAt,
};

type StaffRow = Pick<typeof staff.$inferSelect, keyof typeof dtoColumns>;

function toDTO(r: StaffRow): StaffDTO {
  return { ...r, lastSignInAt: r.lastSignInAt?.toISOString() ?? null };
}

function actorOf(caller: CurrentStaff) {
  return { id: caller.id, email: caller.email, role: caller.role };
}

/** The actions parse first and return field errors; this catches any other caller with bad input. */
function parse<S extends z.ZodType>(schema: S, raw: unknown): z.infer<S> {
  const parsed = schema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new UserFacingError(`Invalid input${issue ? `: ${issue.path.join(".") || "value"} ${issue.message}` : ""}.`);
  }
  return parsed.data;
}

export interface StaffListEntry extends StaffDTO {
  /** A confirmed second factor (TOTP) is set up. */
  secondFactor: boolean;
}

export async function listStaff(): Promise<StaffListEntry[]> {
  await requirePermission("staff.manage");
  const db = await getDb();
  const rows = await db.select(dtoColumns).from(staff).orderBy(asc(staff.email));
  const enrolled = new Set(
    (await db.select({ id: staffSecondFactors.staffId }).from(staffSecondFactors).where(isNotNull(staffSecondFactors.confirmedAt))).map((r) => r.id),
  );
  return rows.map((r) => ({ ...toDTO(r), secondFactor: enrolled.has(r.id) }));
}

export interface StaffWithPassword {
  staff: StaffDTO;
  /** Shown once to the admin and never stored or logged; null when the admin typed the password. */
  oneTimePassword: string | null;
}

export async function createStaffMember(raw: unknown): Promise<StaffWithPassword> {
  const caller = await requirePermission("staff.manage");
  const input = parse(staffCreateSchema, raw);
  const oneTimePassword = input.password ? null : generatePassword();
  const db = await getDb();
  const { id } = await createStaff(db, { ...input, password: input.password ?? oneTimePassword! }, { oneTime: !!oneTimePassword });
  const [row] = await db.select(dtoColumns).from(staff).where(eq(staff.id, id)).limit(1);
  if (!row) throw new NotFoundError("The new staff member");
  await recordAudit({
    actor: actorOf(caller),
    action: "staff.create",
    outcome: "success",
    details: { staffId: id, email: row.email, role: row.role, passwordSource: oneTimePassword ? "generated" : "admin" },
  });
  return { staff: toDTO(row), oneTimePassword };
}

export interface StaffChange {
  staff: StaffDTO;
  /** False when the account already had that role or status (nothing written, nothing audited). */
  changed: boolean;
}

const ADMINS_LOCK = xactLock(textLockKeys.activeAdmins);

/**
 * Applies a role and/or status change unless it would leave zero active admins. The lock serialises every such
 * change, so the count of the other active admins cannot go stale before the update commits.
 */
async function changeGuarded(
  caller: CurrentStaff,
  staffId: string,
  change: { role?: Role; status?: StaffStatus },
  action: string,
): Promise<StaffChange & { before: StaffDTO }> {
  const db = await getDb();
  try {
    return await db.transaction(async (tx) => {
      await tx.execute(ADMINS_LOCK);
      const [target] = await tx.select(dtoColumns).from(staff).where(eq(staff.id, staffId)).limit(1);
      if (!target) throw new NotFoundError("That staff member");
      const next = { ...target, role: change.role ?? target.role, status: change.status ?? target.status };
      if (next.role === target.role && next.status === target.status) {
        return { staff: toDTO(target), before: toDTO(target), changed: false };
      }
      const wasActiveAdmin = target.role === "admin" && target.status === "active";
      const staysActiveAdmin = next.role === "admin" && next.status === "active";
      if (wasActiveAdmin && !staysActiveAdmin) {
        const [others] = await tx
          .select({ n: count() })
          .from(staff)
          .where(and(eq(staff.role, "admin"), eq(staff.status, "active"), ne(staff.id, target.id)));
        if ((others?.n ?? 0) === 0) throw lastAdminRefusal(caller, target, change);
      }
      await tx.update(staff).set({ ...change, ...(change.role ? { roleFromIdp: false } : {}), updatedAt: new Date() }).where(eq(staff.id, target.id));
      return { staff: toDTO(next), before: toDTO(target), changed: true };
    });
  } catch (e) {
    if (e instanceof LastActiveAdminError) {
      // Outside the transaction: recordAudit uses its own connection (and PGlite has only one).
      await recordAudit({
        actor: actorOf(caller),
        action,
        outcome: "denied",
        details: {
          staffId,
          email: e.targetEmail,
          ...(change.role ? { from: "admin", to: change.role } : {}),
          reason: "last-active-admin",
        },
      });
    }
    throw e;
  }
}

function lastAdminRefusal(caller: CurrentStaff, target: StaffRow, change: { role?: Role; status?: StaffStatus }): LastActiveAdminError {
  const what = change.status === "disabled" ? "disable" : "remove the admin role from";
  if (target.id === caller.id) {
    return new LastActiveAdminError(
      `You are the last active admin: make someone else an admin before you ${change.status === "disabled" ? "disable your account" : "give up your admin role"}.`,
      target.email,
    );
  }
  return new LastActiveAdminError(
    `${target.email} is the last active admin: make someone else an admin before you ${what} them.`,
    target.email,
  );
}

export async function changeStaffRole(raw: unknown): Promise<StaffChange> {
  const caller = await requirePermission("staff.manage");
  const { staffId, role } = parse(staffRoleChangeSchema, raw);
  const result = await changeGuarded(caller, staffId, { role }, "staff.role_change");
  if (result.changed) {
    await recordAudit({
      actor: actorOf(caller),
      action: "staff.role_change",
      outcome: "success",
      details: { staffId, email: result.staff.email, from: result.before.role, to: role },
    });
  }
  return { staff: result.staff, changed: result.changed };
}

/**
 * Disabling takes effect on the account's next request: lib/auth/session.ts re-reads the status every time, and
 * the account's sessions are revoked too, so enabling it again does not bring them back.
 */
export async function setStaffStatus(raw: unknown): Promise<StaffChange> {
  const caller = await requirePermission("staff.manage");
  const { staffId, status } = parse(staffStatusChangeSchema, raw);
  const action = status === "disabled" ? "staff.disable" : "staff.enable";
  const result = await changeGuarded(caller, staffId, { status }, action);
  if (result.changed) {
    const sessionsEnded = status === "disabled" ? await revokeStaffSessions(staffId, "disabled") : 0;
    await recordAudit({
      actor: actorOf(caller),
      action,
      outcome: "success",
      details: { staffId, email: result.staff.email, role: result.staff.role, ...(status === "disabled" ? { sessionsEnded } : {}) },
    });
  }
  return { staff: result.staff, changed: result.changed };
}

/**
 * A new generated password, shown once. It also lifts a sign-in lockout of that account and ends its sessions
 * (all of them; when admins reset their own password, all but the one they are using).
 */
export async function resetStaffPassword(raw: unknown): Promise<StaffWithPassword> {
  const caller = await requirePermission("staff.manage");
  const { staffId } = parse(staffPasswordResetSchema, raw);
  const oneTimePassword = generatePassword();
  const passwordHash = await hashPassword(oneTimePassword);
  const db = await getDb();
  const [row] = await db
    .update(staff)
    .set({ passwordHash, ...oneTimePasswordColumns(), updatedAt: new Date() })
    .where(eq(staff.id, staffId))
    .returning(dtoColumns);
  if (!row) throw new NotFoundError("That staff member");
  await clearAccountFailures(row.email);
  const sessionsEnded = await revokeStaffSessions(staffId, "password-reset", { except: caller.sessionId });
  await recordAudit({
    actor: actorOf(caller),
    action: "staff.password_reset",
    outcome: "success",
    details: { staffId, email: row.email, sessionsEnded },
  });
  return { staff: toDTO(row), oneTimePassword };
}

/**
 * Removes a staff member's second factor and recovery codes (lost phone) and ends their sessions. They set it up
 * again at their next sign-in (admins must; others may). Admins cannot reset their own: another admin does it.
 */
export async function resetStaffSecondFactor(raw: unknown): Promise<{ staff: StaffDTO; removed: boolean }> {
  const caller = await requirePermission("staff.manage");
  const { staffId } = parse(staffPasswordResetSchema, raw);
  if (staffId === caller.id) throw new UserFacingError("Another admin has to reset your own second factor.");
  const db = await getDb();
  const [row] = await db.select(dtoColumns).from(staff).where(eq(staff.id, staffId)).limit(1);
  if (!row) throw new NotFoundError("That staff member");
  const removed = await removeSecondFactor(staffId);
  const sessionsEnded = await revokeStaffSessions(staffId, "second-factor-reset");
  await recordAudit({
    actor: actorOf(caller),
    action: "staff.second_factor_reset",
    outcome: "success",
    details: { staffId, email: row.email, hadSecondFactor: removed, sessionsEnded },
  });
  return { staff: toDTO(row), removed };
}
