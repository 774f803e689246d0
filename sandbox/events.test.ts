// GET /events: derived from the seeded history, filterable, paginated newest first through links.next.
import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { DAY, generateDataset } from "./data";
import { EVENT_RETENTION_MS, collectSeededEvents } from "./events";
import { startTestSandbox, type Loose, type SandboxClient, type TestSandbox } from "./test-support/client";

const USERS = 300;
const dataset = generateDataset({ users: USERS, seed: 1 });

async function allPages(client: SandboxClient, first: string): Promise<{ events: Loose[]; pages: number }> {
  const events: Loose[] = [];
  let next: string | undefined = first;
  let pages = 0;
  while (next) {
    const reply = await client.get(next.replace(client.base, ""));
    expect(reply.status, next).toBe(200);
    events.push(...(reply.body.data as Loose[]));
    next = reply.body.links.next as string | undefined;
    pages++;
  }
  return { events, pages };
}

describe("GET /events", () => {
  let running: TestSandbox;
  beforeAll(async () => {
    running = await startTestSandbox({ users: USERS });
  });
  afterAll(async () => {
    await running.sandbox.close();
  });

  it("serves the seeded events of the last 7 days, newest first, across pages without gaps or repeats", async () => {
    const seeded = await collectSeededEvents(dataset, Date.now() - EVENT_RETENTION_MS);
    expect(seeded.length).toBeGreaterThan(20);
    const { events, pages } = await allPages(running.client, "/events?limit=7");
    expect(pages).toBe(Math.ceil(seeded.length / 7));
    expect(events).toHaveLength(seeded.length);
    expect(new Set(events.map((e) => e.id)).size).toBe(events.length);
    const dates = events.map((e) => Date.parse(e.createdDate));
    expect(dates).toEqual([...dates].sort((a, b) => b - a));
    expect(Math.min(...dates)).toBeGreaterThanOrEqual(Date.now() - 7 * DAY - 1000);
    const types = new Set(events.map((e) => `${e.entity}.${e.eventType}`));
    for (const type of ["user.created", "connection.created", "connection.activated"])
      expect(types).toContain(type);
  });

  it("filters by type, entity and user, and by createdDate after a cursor", async () => {
    const { client } = running;
    const created = await allPages(client, "/events?filter=event.type.eq('user.created')&limit=50");
    expect(created.events.length).toBeGreaterThan(0);
    expect(created.events.every((e) => e.entity === "user" && e.eventType === "created")).toBe(true);
    // user.created carries the user: an event consumer learns new user ids from it.
    for (const event of created.events) {
      expect(event.data).toMatchObject({ type: "user", id: event.userId });
      expect(dataset.findUser(event.userId as string)).toBeDefined();
    }

    const connections = await allPages(client, "/events?filter=event.entity.eq('connection')");
    expect(connections.events.every((e) => e.entity === "connection")).toBe(true);

    const someone = created.events[0].userId as string;
    const mine = await allPages(client, `/events?filter=user.id.eq('${someone}')`);
    expect(mine.events.every((e) => e.userId === someone)).toBe(true);

    const everything = await allPages(client, "/events?limit=500");
    const cursor = everything.events[Math.floor(everything.events.length / 2)].createdDate as string;
    const newer = await allPages(client, `/events?filter=event.createdDate.gt('${cursor}')`);
    expect(newer.events.length).toBeGreaterThan(0);
    expect(newer.events.every((e) => Date.parse(e.createdDate) > Date.parse(cursor))).toBe(true);
    expect(newer.events).toHaveLength(
      everything.events.filter((e) => Date.parse(e.createdDate) > Date.parse(cursor)).length,
    );

    const combined = await allPages(
      client,
      `/events?filter=event.type.in('connection.created','connection.activated'),createdDate.gt('${cursor}')`,
    );
    expect(
      combined.events.every(
        (e) => e.entity === "connection" && ["created", "activated"].includes(e.eventType),
      ),
    ).toBe(true);
  });

  it("has consent revoked, expired, warning and reminder events in the last 7 days (seeded personas)", async () => {
    const { events } = await allPages(running.client, "/events?limit=500&filter=event.entity.eq('consent')");
    const types = new Set(events.map((e) => `${e.entity}.${e.eventType}`));
    for (const type of ["consent.revoked", "consent.expired", "consent.warning", "consent.reminder"]) expect(types, type).toContain(type);
    const personas = (await running.client.control("GET", "personas")).body as Loose[];
    const gilfoyle = personas.find((p) => p.loginId === "Gilfoyle").userId as string;
    const consentEnded = personas.find((p) => p.demonstrates === "invalid-connection").userId as string;
    const of = (userId: string) => events.filter((e) => e.userId === userId).map((e) => e.eventType).sort();
    expect(of(gilfoyle)).toEqual(expect.arrayContaining(["reminder", "warning"]));
    expect(of(consentEnded)).toEqual(expect.arrayContaining(["expired", "revoked"]));
    const revoked = events.find((e) => e.userId === consentEnded && e.eventType === "revoked");
    expect(revoked.data).toMatchObject({ type: "consent", status: "revoked" });
  });

  it("adds connection.deleted when a connection is deleted", async () => {
    const { client } = running;
    const owner = dataset.user(0);
    const connection = owner.connections[0];
    if (!connection) throw new Error("persona without connection");
    expect((await client.delete(`/users/${owner.id}/connections/${connection.id}`)).status).toBe(204);
    const deleted = await client.get("/events?filter=event.type.eq('connection.deleted')");
    expect(deleted.body.data).toHaveLength(1);
    expect(deleted.body.data[0]).toMatchObject({
      entity: "connection",
      eventType: "deleted",
      userId: owner.id,
      data: { id: connection.id },
    });
    await client.reset();
  });

  it("answers 400 for bad filters, limits and cursors", async () => {
    const { client } = running;
    for (const query of [
      "filter=event.colour.eq('red')",
      "filter=event.type.eq(",
      "filter=createdDate.gt('yesterday')",
      "limit=0",
      "limit=501",
      "next=garbage",
    ]) {
      const reply = await client.get(`/events?${query}`);
      expect(reply.status, query).toBe(400);
      expect(reply.body.data[0].code, query).toBe("parameter-not-valid");
    }
  });
});
