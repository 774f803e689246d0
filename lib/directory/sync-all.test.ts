// Re-syncing the whole directory: a Basiq outage stops the run early instead of failing every user, and the
// users not reached keep their stored copy (nothing half-written).
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";

import type { BasiqClient } from "@/lib/basiq/client";
import { BasiqApiError } from "@/lib/basiq/errors";
import { basiqUsers } from "@/lib/db/schema";
import { createTestDatabase, type TestDatabase } from "@/test/db";

import { recordDirectoryUser } from "./record";
import { SYNC_OUTAGE_STOP, syncAllUsers } from "./sync-all";

const USERS = 60;

function fakeBasiq(answer: (id: string) => "ok" | 503) {
  const getUser = vi.fn(async (id: string) => {
    if (answer(id) === 503) throw new BasiqApiError({ method: "GET", route: "GET /users/{userId}", status: 503 });
    return { type: "user", id, email: `${id}@example.com.au`, mobile: "+61400000000", firstName: "Synced", lastName: id };
  });
  const listConnections = vi.fn(async () => []);
  return { client: { getUser, listConnections } as unknown as BasiqClient, getUser };
}

let t: TestDatabase;
beforeAll(async () => {
  t = await createTestDatabase();
});
afterAll(async () => {
  await t?.close();
});
beforeEach(async () => {
  await t.db.delete(basiqUsers);
  for (let i = 0; i < USERS; i++) {
    const id = `user-${String(i).padStart(3, "0")}`;
    await recordDirectoryUser(t.db, { id, email: `${id}@old.example`, connections: [] }, "seed");
  }
});

const sources = async () => (await t.db.select({ source: basiqUsers.source }).from(basiqUsers)).map((r) => r.source);

describe("syncAllUsers", () => {
  it("stops after SYNC_OUTAGE_STOP failures in a row and leaves the other users as they were", async () => {
    const basiq = fakeBasiq(() => 503);
    const result = await syncAllUsers(t.db, basiq.client);
    expect(result.stopped).toMatch(/^Stopped: Basiq failed for \d+ users in a row \(HTTP 503\)/);
    expect(result.failed).toBeGreaterThanOrEqual(SYNC_OUTAGE_STOP);
    expect(result.failed).toBeLessThan(SYNC_OUTAGE_STOP + 8); // at most the calls already in flight
    expect(basiq.getUser.mock.calls.length).toBe(result.failed);
    expect(result.updated).toBe(0);
    expect(new Set(await sources())).toEqual(new Set(["seed"]));
  });

  it("keeps going through scattered failures: only failures in a row mean an outage", async () => {
    const basiq = fakeBasiq((id) => (Number(id.slice(-3)) % 3 === 0 ? 503 : "ok"));
    const result = await syncAllUsers(t.db, basiq.client);
    expect(result.stopped).toBeNull();
    expect(result.checked).toBe(USERS);
    expect(result.failed).toBe(USERS / 3);
    expect(result.updated).toBe(USERS - USERS / 3);
  });
});
