// Issue 14 item 11 (sweep part): "Run sweep now" on the instance that loses the lock says "already running"
// instead of a false "Sweep started". Another instance is stood in for by a connection holding the sweep's
// advisory lock on the same database (real PostgreSQL only: PGlite has one process, covered by the in-process flag).
import postgres from "postgres";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";

import type { TestDatabase } from "@/test/db";
import { actAs, staffWithRole } from "@/test/session-mock";

vi.mock("@/lib/auth/session", async () => (await import("@/test/session-mock")).mockedSessionModule());

const serverUrl = process.env.DATABASE_URL;

describe.runIf(!!serverUrl)("PostgreSQL: Run sweep now while another instance sweeps", () => {
  let t: TestDatabase;
  let other: postgres.Sql;

  beforeAll(async () => {
    const { createTestDatabase } = await import("@/test/db");
    const { useDatabaseForTests } = await import("@/lib/db/client");
    const { resetEnvForTests } = await import("@/lib/env");
    t = await createTestDatabase();
    useDatabaseForTests(t.db);
    process.env.DATABASE_URL = t.url;
    process.env.BASIQ_API_URL = "http://127.0.0.1:9"; // never reached: the lock is lost first
    delete process.env.BASIQ_API_KEY;
    resetEnvForTests();
    other = postgres(t.url!, { max: 1, onnotice: () => {} });
    await other`select pg_advisory_lock(4812002::bigint)`; // the sweep lock (lib/jobs/sweep.ts SWEEP_LOCK)
  });
  afterAll(async () => {
    await other?.end({ timeout: 5 });
    process.env.DATABASE_URL = serverUrl;
    await t?.close();
  });

  it("answers 'already running on another instance', not 'started'", async () => {
    const { startSweepNow } = await import("./sweep");
    actAs(staffWithRole("admin", "00000000-0000-4000-8000-0000000000ad"));
    const answer = await startSweepNow();
    expect(answer.started).toBe(false);
    expect(answer.message).toMatch(/^A sweep is already running on another instance/);
  });
});
