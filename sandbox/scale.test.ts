// SANDBOX_USERS=100000: starts at once (nothing is generated up front) and serves the last user and its jobs.
// Timings are not asserted; the test proves the lazy design works end to end at that size.
import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { generateDataset } from "./data";
import { startTestSandbox, type TestSandbox } from "./test-support/client";

const USERS = 100_000;

describe("100,000 users", () => {
  let running: TestSandbox;
  beforeAll(async () => {
    running = await startTestSandbox({ users: USERS, seed: 9 });
  });
  afterAll(async () => {
    await running.sandbox.close();
  });

  it("lists every id and serves the last user, its connections and jobs", async () => {
    const { client } = running;
    const page = await client.control("GET", `users?offset=${USERS - 1}&limit=10`);
    expect(page.body.total).toBe(USERS);
    expect(page.body.ids).toHaveLength(1);
    const lastId = page.body.ids[0] as string;
    expect(lastId).toBe(generateDataset({ users: USERS, seed: 9 }).userId(USERS - 1));

    const user = await client.get(`/users/${lastId}`);
    expect(user.status).toBe(200);
    expect(user.body.id).toBe(lastId);
    const jobs = await client.get(`/users/${lastId}/jobs`);
    expect(jobs.status).toBe(200);
    for (const job of jobs.body.data as { id: string }[])
      expect((await client.get(`/jobs/${job.id}`)).status).toBe(200);

    const all = await client.control("GET", `users?offset=0&limit=${USERS}`);
    expect(new Set(all.body.ids as string[]).size).toBe(USERS);
  });

  it("still answers GET /events (the event index is built in the background)", async () => {
    const reply = await running.client.get("/events?limit=10");
    expect(reply.status).toBe(200);
    expect(reply.body.data).toHaveLength(10);
    expect(reply.body.links.next).toMatch(/next=/);
  });
});
