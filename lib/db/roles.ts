import "server-only";

// Two database roles (SECURITY.md: "the append-only audit table is append-only for the app's own database
// role"). Migrations run as the owner (DATABASE_MIGRATION_URL); the console runs as DATABASE_URL's role, which
// gets read/write on the console's tables and sequences but only INSERT and SELECT on audit_events. Not being the
// owner, it can neither ALTER the table nor DISABLE its append-only trigger; lacking UPDATE, DELETE and TRUNCATE,
// it cannot rewrite the trail even before the trigger runs. Applied after every migration, so new tables are
// covered too. `auditTableExposure` reports what the runtime role could still do to the trail.
import type { Sql } from "postgres";

/** Grants the runtime role (by name) what the console needs, on the owner's connection. Idempotent. */
export async function grantRuntimeRole(owner: Sql, runtimeRole: string): Promise<void> {
  const role = owner(runtimeRole);
  await owner`grant usage on schema public to ${role}`;
  await owner`grant select, insert, update, delete on all tables in schema public to ${role}`;
  await owner`grant usage, select, update on all sequences in schema public to ${role}`;
  await owner`revoke update, delete, truncate, references, trigger on table audit_events from ${role}`;
}

export interface AuditExposure {
  role: string;
  /** The role owns audit_events: it could ALTER it or DISABLE its trigger. */
  owns: boolean;
  /** Privileges beyond INSERT/SELECT it holds on audit_events. */
  extra: string[];
  superuser: boolean;
}

/** What the role of this connection could do to audit_events beyond appending and reading. */
export async function auditTableExposure(client: Sql): Promise<AuditExposure> {
  const [row] = await client<
    { role: string; owns: boolean; superuser: boolean; upd: boolean; del: boolean; trunc: boolean; trig: boolean }[]
  >`
    select current_user as role,
           pg_has_role(current_user, c.relowner, 'USAGE') as owns,
           (select rolsuper from pg_roles where rolname = current_user) as superuser,
           has_table_privilege(c.oid, 'UPDATE') as upd,
           has_table_privilege(c.oid, 'DELETE') as del,
           has_table_privilege(c.oid, 'TRUNCATE') as trunc,
           has_table_privilege(c.oid, 'TRIGGER') as trig
    from pg_class c where c.oid = 'public.audit_events'::regclass`;
  if (!row) throw new Error("audit_events does not exist");
  const extra = [row.upd && "UPDATE", row.del && "DELETE", row.trunc && "TRUNCATE", row.trig && "TRIGGER"].filter(
    (v): v is string => typeof v === "string",
  );
  return { role: row.role, owns: row.owns, superuser: row.superuser, extra };
}

/** One line for the start-up log when the trail is append-only only by trigger; null when the roles are split. */
export function exposureWarning(e: AuditExposure): string | null {
  if (!e.owns && !e.superuser && e.extra.length === 0) return null;
  const what = e.superuser ? "is a superuser" : e.owns ? "owns audit_events" : `holds ${e.extra.join(", ")} on audit_events`;
  return (
    `The database role of DATABASE_URL (${e.role}) ${what}: it could disable the audit trail's append-only trigger. ` +
    "Run migrations as an owner role with DATABASE_MIGRATION_URL and give DATABASE_URL a role of its own (README: Two database roles)."
  );
}
