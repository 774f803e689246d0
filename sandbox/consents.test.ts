// Consents: one per open-banking connection, with expiry dates; revoking one (DELETE) and deleting a user put
// consent.revoked / user.deleted into the same event stream GET /events serves (and the webhook sender reads).
import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { DAY, generateDataset } from "./data";
import { startTestSandbox, type Loose, type TestSandbox } from "./test-support/client";

const USERS = 60;
const dataset = generateDataset({ users: USERS, seed: 1 });
const GILFOYLE = dataset.user(2);
/** The persona whose connection failed with invalid-connection: one consent expired, one revoked. */
const ENDED = Array.from({ length: USERS }, (_, i) => dataset.user(i)).find(
  (u) => u.connections.length === 2 && u.connections.every((c) => c.method === "openbanking" && c.status === "invalid"),
)!;

describe("sandbox consents", () => {
  let running: TestSandbox;
  beforeAll(async () => {
    running = await startTestSandbox({ users: USERS, seed: 1 });
  });
  afterAll(async () => {
    await running.sandbox.close();
  });

  it("lists a consent per open-banking connection with its expiry: Gilfoyle's expires within 7 days", async () => {
    const reply = await running.client.get(`/users/${GILFOYLE.id}/consents`);
    expect(reply.status).toBe(200);
    const consents = reply.body.data as Loose[];
    expect(consents).toHaveLength(1);
    const [consent] = consents;
    expect(consent.status).toBe("active");
    const days = (Date.parse(consent.expiryDate) - Date.now()) / DAY;
    expect(days).toBeGreaterThan(0);
    expect(days).toBeLessThan(7);
    expect(consent.data.permissions.length).toBeGreaterThan(0);
    expect(consent.purpose.primary.title).toBeTruthy();
  });

  it("shows the ended consents of the invalid-connection persona: one expired, one revoked with its date", async () => {
    expect(ENDED).toBeDefined();
    const reply = await running.client.get(`/users/${ENDED.id}/consents`);
    const byStatus = Object.fromEntries((reply.body.data as Loose[]).map((c) => [c.status, c]));
    expect(Object.keys(byStatus).sort()).toEqual(["expired", "revoked"]);
    expect(Date.parse(byStatus.revoked.revoked)).toBeLessThan(Date.now());
    expect(byStatus.expired.revoked).toBeUndefined();
  });

  it("DELETE revokes an active consent once: 204, status revoked, one consent.revoked event in GET /events", async () => {
    const user = dataset.user(1); // Whistler: one open-banking connection, consent active
    const [consent] = (await running.client.get(`/users/${user.id}/consents`)).body.data as Loose[];
    expect(consent.status).toBe("active");
    expect((await running.client.delete(`/users/${user.id}/consents/${consent.id}`)).status).toBe(204);
    expect((await running.client.delete(`/users/${user.id}/consents/${consent.id}`)).status).toBe(204);
    const [after] = (await running.client.get(`/users/${user.id}/consents`)).body.data as Loose[];
    expect(after.status).toBe("revoked");
    expect(after.revoked).toBeTruthy();
    const events = await running.client.get(`/events?filter=event.type.eq('consent.revoked'),user.id.eq('${user.id}')`);
    const recent = (events.body.data as Loose[]).filter((e) => Date.parse(e.createdDate) > Date.now() - 60_000);
    expect(recent).toHaveLength(1);
    expect(recent[0].data).toMatchObject({ type: "consent", id: consent.id, status: "revoked" });
  });

  it("DELETE /users/{userId}: 204, then 404 for the user and a user.deleted event", async () => {
    const user = dataset.user(3);
    expect((await running.client.delete(`/users/${user.id}`)).status).toBe(204);
    expect((await running.client.get(`/users/${user.id}`)).status).toBe(404);
    expect((await running.client.get(`/users/${user.id}/consents`)).status).toBe(404);
    const events = await running.client.get(`/events?filter=event.type.eq('user.deleted')`);
    expect((events.body.data as Loose[]).map((e) => e.userId)).toEqual([user.id]);
  });

  it("a consent of another user is not found", async () => {
    const [consent] = (await running.client.get(`/users/${GILFOYLE.id}/consents`)).body.data as Loose[];
    expect((await running.client.delete(`/users/${dataset.user(0).id}/consents/${consent.id}`)).status).toBe(404);
  });
});
