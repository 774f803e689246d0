// Two database roles (DATABASE_MIGRATION_URL owner, DATABASE_URL runtime): the migrations create pg-boss's schema
// and the registered queues as the owner; the runtime role then starts the engine, enqueues and works jobs on
// them, but cannot create a queue of its own (a table partition of the owner's table). Real PostgreSQL only.
import { randomBytes } from "node:crypto";

import postgres from "postgres";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { openDatabase } from "@/lib/db/client";
import { migratePostgres } from "@/lib/db/migrate";

import { enqueue, startQueue, stopQueue } from "./engine";
import { queueDefinitions } from "./registry";

const serverUrl = process.env.DATABASE_URL;

describe.runIf(!!serverUrl)("PostgreSQL: the job engine under the runtime role", () => {
  const suffix = randomBytes(4).toString("hex");
  const ownerRole = `engine_owner_${suffix}`;
  const appRole = `engine_app_${suffix}`;
  const dbName = `test_engine_roles_${suffix}`;
  const password = randomBytes(12).toString("hex");
  let admin: postgres.Sql;
  const urlFor = (role: string) => {
    const u = new URL(serverUrl!);
    u.username = role;
    u.password = password;
    u.pathname = `/${dbName}`;
    return u.toString();
  };

  beforeAll(async () => {
    admin = postgres(serverUrl!, { max: 1, onnotice: () => {} });
    await admin.unsafe(`create role "${ownerRole}" login password '${password}'`);
    await admin.unsafe(`create role "${appRole}" login password '${password}'`);
    await admin.unsafe(`create database "${dbName}" owner "${ownerRole}"`);
    await migratePostgres(urlFor(ownerRole), { runtimeUrl: urlFor(appRole) });
  });
  afterAll(async () => {
    await stopQueue(2_000);
    await admin.unsafe(`drop database if exists "${dbName}" with (force)`);
    await admin.unsafe(`drop role if exists "${appRole}"`);
    await admin.unsafe(`drop role if exists "${ownerRole}"`);
    await admin.end({ timeout: 5 });
  });

  it("starts on the owner's schema, enqueues to a registered queue, and may not create queues itself", async () => {
    const opened = await openDatabase({ databaseUrl: urlFor(appRole) });
    try {
      const engine = await startQueue({ db: opened.db, databaseUrl: urlFor(appRole), queues: queueDefinitions, work: false, schedule: false });
      expect(await enqueue("events-sync", {})).toMatch(/[0-9a-f-]{36}/);
      expect(await engine.boss.getQueueSize("events-sync")).toBe(1);
      await expect(engine.boss.createQueue("not-registered")).rejects.toThrow();
    } finally {
      await stopQueue(2_000);
      await opened.close();
    }
  });
});
