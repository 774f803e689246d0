// Issue 14 item 8: the audit table is append-only against the console's own database role. On a fresh database
// of DATABASE_URL's server (CI's is a superuser), two roles are created — an owner that migrates and a runtime
// role — and the runtime role is shown to append and read the trail but never UPDATE, DELETE, TRUNCATE, ALTER it
// or DISABLE its trigger, while working normally on the other tables. Needs real PostgreSQL (PGlite has one role).
import { randomBytes } from "node:crypto";

import postgres from "postgres";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { migratePostgres } from "./migrate";
import { auditTableExposure, exposureWarning } from "./roles";

const serverUrl = process.env.DATABASE_URL;

describe.runIf(!!serverUrl)("PostgreSQL: two roles (DATABASE_MIGRATION_URL owner, DATABASE_URL runtime)", () => {
  const suffix = randomBytes(4).toString("hex");
  const ownerRole = `issue14b_owner_${suffix}`;
  const appRole = `issue14b_app_${suffix}`;
  const dbName = `test_roles_${suffix}`;
  const ownerPassword = randomBytes(12).toString("hex");
  const appPassword = randomBytes(12).toString("hex");
  let admin: postgres.Sql;
  let app: postgres.Sql;
  let owner: postgres.Sql;

  const urlFor = (role: string, password: string) => {
    const u = new URL(serverUrl!);
    u.username = role;
    u.password = password;
    u.pathname = `/${dbName}`;
    return u.toString();
  };

  beforeAll(async () => {
    admin = postgres(serverUrl!, { max: 1, onnotice: () => {} });
    await admin.unsafe(`create role "${ownerRole}" login password '${ownerPassword}'`);
    await admin.unsafe(`create role "${appRole}" login password '${appPassword}'`);
    await admin.unsafe(`create database "${dbName}" owner "${ownerRole}"`);
    await migratePostgres(urlFor(ownerRole, ownerPassword), { runtimeUrl: urlFor(appRole, appPassword) });
    app = postgres(urlFor(appRole, appPassword), { max: 1, onnotice: () => {} });
    owner = postgres(urlFor(ownerRole, ownerPassword), { max: 1, onnotice: () => {} });
  });

  afterAll(async () => {
    await app?.end({ timeout: 5 });
    await owner?.end({ timeout: 5 });
    if (admin) {
      await admin.unsafe(`drop database if exists "${dbName}" with (force)`);
      await admin.unsafe(`drop role if exists "${appRole}"`);
      await admin.unsafe(`drop role if exists "${ownerRole}"`);
      await admin.end({ timeout: 5 });
    }
  });

  it("the runtime role appends to and reads the audit trail", async () => {
    await app`insert into audit_events (action, outcome) values ('test.append', 'success')`;
    const rows = await app`select action from audit_events where action = 'test.append'`;
    expect(rows).toHaveLength(1);
  });

  const refused: [string, string][] = [
    ["UPDATE", "update audit_events set outcome = 'forged'"],
    ["DELETE", "delete from audit_events"],
    ["TRUNCATE", "truncate audit_events"],
    ["ALTER", "alter table audit_events add column forged text"],
    ["DISABLE TRIGGER", "alter table audit_events disable trigger user"],
    ["DROP", "drop table audit_events"],
  ];
  for (const [what, statement] of refused) {
    it(`the runtime role cannot ${what} audit_events (permission denied, not merely the trigger)`, async () => {
      const error = await app.unsafe(statement).then(
        () => null,
        (e: unknown) => e as { code?: string; message?: string },
      );
      expect(error, `${statement} succeeded`).not.toBeNull();
      // 42501 insufficient_privilege: "permission denied for table" / "must be owner of table"
      expect(error?.code, error?.message).toBe("42501");
      const [{ n } = { n: 0 }] = await owner<{ n: number }[]>`select count(*)::int as n from audit_events where action = 'test.append'`;
      expect(n).toBe(1);
    });
  }

  it("the runtime role works normally on the console's other tables and sequences", async () => {
    const [row] = await app<{ id: string }[]>`
      insert into staff (email, name, role) values (${`x-${suffix}@corp.example`}, 'X', 'staff') returning id`;
    await app`update staff set name = 'Y' where id = ${row!.id}`;
    await app`insert into sweep_runs (trigger, status) values ('test', 'running')`;
    await app`insert into security_quotas (subject, bucket, window_start, count) values ('s', 'b', now(), 1)
              on conflict (subject, bucket, window_start) do update set count = security_quotas.count + 1`;
    await app`delete from staff where id = ${row!.id}`;
  });

  it("start-up: no warning for the split roles; a warning for the single-owner set-up", async () => {
    const split = await auditTableExposure(app);
    expect(split).toMatchObject({ role: appRole, owns: false, superuser: false, extra: [] });
    expect(exposureWarning(split)).toBeNull();
    const single = await auditTableExposure(owner);
    expect(single.owns).toBe(true);
    expect(exposureWarning(single)).toMatch(/could disable the audit trail's append-only trigger.*DATABASE_MIGRATION_URL/);
  });

  it("migrating again (a restart, a new migration) keeps the runtime role's rights as they are", async () => {
    await migratePostgres(urlFor(ownerRole, ownerPassword), { runtimeUrl: urlFor(appRole, appPassword) });
    expect(exposureWarning(await auditTableExposure(app))).toBeNull();
    await app`insert into audit_events (action, outcome) values ('test.again', 'success')`;
  });
});
