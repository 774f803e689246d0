// Consent lifecycle against the in-process sandbox and a real database (PGlite, or PostgreSQL with DATABASE_URL):
// consent events read through the one events path (syncFromEvents) de-identify the console's copies of the user,
// checked with SQL on the ciphertext and blind-index columns; consent.warning fills the /consents list.
import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { createBasiqClient, type BasiqClient } from "@/lib/basiq/client";
import { syncFromEvents } from "@/lib/directory/events";
import { syncDirectoryUser } from "@/lib/directory/sync";
import { rowsOf } from "@/lib/db/client";
import { storeUserJobs } from "@/lib/jobs/store";
import { generateDataset } from "@/sandbox/data";
import { startTestSandbox, type TestSandbox } from "@/sandbox/test-support/client";
import { createTestDatabase, type TestDatabase } from "@/test/db";

import { deidentifyUser } from "./deidentify";
import { consentsExpiringSoon } from "./store";

const USERS = 40;
const dataset = generateDataset({ users: USERS, seed: 1 });
const WHISTLER = dataset.user(1).id;
const GILFOYLE = dataset.user(2).id;
const JARED = dataset.user(4).id;

let running: TestSandbox;
let testDb: TestDatabase;
let client: BasiqClient;

interface PersonalRow {
  email_enc: string | null;
  email_idx: string | null;
  mobile_enc: string | null;
  mobile_idx: string | null;
  name_enc: string | null;
  deidentified_by: string | null;
  words: number;
}

async function personal(userId: string): Promise<PersonalRow | undefined> {
  const rows = rowsOf<PersonalRow>(
    await testDb.db.execute(sql`
      select email_enc, email_idx, mobile_enc, mobile_idx, name_enc, deidentified_by,
             (select count(*)::int from basiq_user_name_words w where w.user_id = u.id) as words
      from basiq_users u where id = ${userId}`),
  );
  return rows[0];
}

async function audits(userId: string) {
  return rowsOf<{ action: string; details: { event: string; erased: string[] } }>(
    await testDb.db.execute(sql`select action, details from audit_events where target_user_id = ${userId} and action = 'user.deidentified'`),
  );
}

beforeAll(async () => {
  [running, testDb] = await Promise.all([startTestSandbox({ users: USERS, seed: 1 }), createTestDatabase()]);
  client = createBasiqClient({ baseUrl: running.sandbox.url, apiKey: "sandbox-key" });
  for (const id of [WHISTLER, GILFOYLE, JARED]) {
    await syncDirectoryUser(testDb.db, client, id, "sync");
    await storeUserJobs(testDb.db, client, id);
  }
  // A failed job with a title, detail and URL, as the failure log stores them.
  await testDb.db.execute(sql`
    insert into job_runs (id, user_id, connection_id, outcome, failed_step, error_code, error_title, error_detail, error_url, steps, created_at)
    values ('job-with-text', ${WHISTLER}, 'c-1', 'failed', 'verify-credentials', 'user-action-required', 'Action required',
            'Log in to your bank and accept the new terms', 'https://bank.example/help',
            '[{"title":"verify-credentials","status":"failed","result":{"code":"user-action-required","title":"Action required","detail":"Log in","url":"https://x"}}]'::jsonb,
            now())`);
  // The seeded feed (the last 7 days) first: it includes Gilfoyle's consent.warning.
  await syncFromEvents(testDb.db, client);
}, 60_000);

afterAll(async () => {
  await Promise.all([running?.sandbox.close(), testDb?.close()]);
});

describe("consent lifecycle", () => {
  it("consent.warning puts the consent expiring within 7 days into the /consents list", async () => {
    const soon = await consentsExpiringSoon(testDb.db);
    expect(soon.map((c) => c.userId)).toContain(GILFOYLE);
    const gilfoyle = soon.find((c) => c.userId === GILFOYLE)!;
    expect(gilfoyle.expiresAt!.getTime() - Date.now()).toBeLessThan(7 * 24 * 3600_000);
    expect(gilfoyle.scopes.length).toBeGreaterThan(0);
  });

  it("consent.revoked: personal fields and blind indexes gone (SQL), job rows codes and dates only, one audit row", async () => {
    const before = await personal(WHISTLER);
    expect(before?.email_enc).toBeTruthy();
    expect(before?.email_idx).toBeTruthy();
    expect(before?.name_enc).toBeTruthy();
    expect(before?.words).toBeGreaterThan(0);

    const [consent] = await client.listConsents(WHISTLER);
    await client.revokeConsent(WHISTLER, consent!.id);
    const result = await syncFromEvents(testDb.db, client);
    expect(result.consentEvents.revoked).toBe(1);

    const after = await personal(WHISTLER);
    expect(after).toEqual({
      email_enc: null,
      email_idx: null,
      mobile_enc: null,
      mobile_idx: null,
      name_enc: null,
      deidentified_by: "consent.revoked",
      words: 0,
    });
    const jobs = rowsOf<{ error_title: string | null; error_detail: string | null; error_url: string | null; error_code: string | null; steps: unknown }>(
      await testDb.db.execute(sql`select error_title, error_detail, error_url, error_code, steps from job_runs where id = 'job-with-text'`),
    );
    expect(jobs[0]).toMatchObject({ error_title: null, error_detail: null, error_url: null, error_code: "user-action-required" });
    expect(jobs[0]!.steps).toEqual([{ title: "verify-credentials", status: "failed", result: { code: "user-action-required" } }]);
    const rows = await audits(WHISTLER);
    expect(rows).toHaveLength(1);
    expect(rows[0]!.details.event).toBe("consent.revoked");
    expect(rows[0]!.details.erased.join(" ")).toMatch(/e-mail.*mobile|name/);

    // The stored consent says revoked.
    const stored = rowsOf<{ status: string }>(await testDb.db.execute(sql`select status from consents where id = ${consent!.id}`));
    expect(stored[0]?.status).toBe("revoked");
  });

  it("a later sync of a de-identified user writes no personal field again; a repeat event adds no audit row", async () => {
    await syncDirectoryUser(testDb.db, client, WHISTLER, "sync");
    const after = await personal(WHISTLER);
    expect([after?.email_enc, after?.email_idx, after?.mobile_enc, after?.mobile_idx, after?.name_enc, after?.words]).toEqual([null, null, null, null, null, 0]);
    const again = await deidentifyUser(testDb.db, WHISTLER, { id: "evt-repeat", type: "consent.expired" });
    expect(again.alreadyDone).toBe(true);
    expect(await audits(WHISTLER)).toHaveLength(1);
  });

  it("user.deleted de-identifies the user too and marks the directory row deleted", async () => {
    expect((await personal(JARED))?.email_enc).toBeTruthy();
    expect((await running.client.delete(`/users/${JARED}`)).status).toBe(204);
    await syncFromEvents(testDb.db, client);
    const after = await personal(JARED);
    expect(after).toMatchObject({ email_enc: null, email_idx: null, mobile_idx: null, name_enc: null, deidentified_by: "user.deleted", words: 0 });
    const deleted = rowsOf<{ deleted: boolean }>(await testDb.db.execute(sql`select deleted_at is not null as deleted from basiq_users where id = ${JARED}`));
    expect(deleted[0]?.deleted).toBe(true);
    expect((await audits(JARED))[0]?.details.event).toBe("user.deleted");
  });
});
