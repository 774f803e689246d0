// Users, connections and jobs over HTTP: lookups, 404s, filters, refresh, purge and delete semantics.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";

import { DAY, generateDataset, type SeedConnection, type SeedUser } from "./data";
import { OPEN_BANKING_REFRESH_LIMIT, REFRESH_STEP_MS } from "./state";
import { sleep, startTestSandbox, type Loose, type TestSandbox } from "./test-support/client";

const USERS = 120;
const SEED = 3;
const dataset = generateDataset({ users: USERS, seed: SEED });
const users = Array.from({ length: USERS }, (_, index) => dataset.user(index));

function find(predicate: (user: SeedUser, connection: SeedConnection) => boolean): {
  user: SeedUser;
  connection: SeedConnection;
} {
  for (const user of users)
    for (const connection of user.connections) if (predicate(user, connection)) return { user, connection };
  throw new Error("no such connection in the dataset");
}

const connectionPath = (user: SeedUser, connection: SeedConnection) =>
  `/users/${user.id}/connections/${connection.id}`;

describe("users, connections and jobs", () => {
  let running: TestSandbox;
  beforeAll(async () => {
    running = await startTestSandbox({ users: USERS, seed: SEED });
  });
  afterAll(async () => {
    await running.sandbox.close();
  });
  beforeEach(async () => {
    await running.client.reset();
  });

  it("serves what the dataset seeds", async () => {
    const persona = dataset.user(0);
    const reply = await running.client.get(`/users/${persona.id}`);
    expect(reply.body).toMatchObject({
      type: "user",
      id: persona.id,
      firstName: "Max",
      lastName: "Wentworth-Smith",
      email: persona.email,
      mobile: persona.mobile,
      connections: { type: "list", count: persona.connections.length },
    });
    const list = await running.client.get(`/users/${persona.id}/connections`);
    expect(list.body.data.map((c: Loose) => c.id)).toEqual(persona.connections.map((c) => c.id));
    const ids = await running.client.userIds(0, USERS);
    expect(ids).toEqual(users.map((user) => user.id));
  });

  it("answers 404 resource-not-found for unknown users, connections, jobs, connectors and routes", async () => {
    const { client } = running;
    const [owner, other] = [dataset.user(0), dataset.user(1)];
    const ownerConnection = owner.connections[0] as SeedConnection;
    const paths = [
      "/users/not-a-user",
      `/users/${dataset.ids.encode({ kind: "user", user: USERS, connection: 0, item: 0 })}`, // beyond the dataset
      `/users/${owner.id}/connections/not-a-connection`,
      `/users/${other.id}/connections/${ownerConnection.id}`, // belongs to another user
      `/users/${owner.id}/connections/${owner.id}`, // a user id is not a connection id
      `/jobs/${ownerConnection.id}`, // a connection id is not a job id
      "/jobs/00000000-0000-4000-8000-000000000000",
      "/connectors/AU99999/web",
      "/users",
    ];
    for (const path of paths) {
      const reply = await client.get(path);
      expect(reply.status, path).toBe(404);
      expect(reply.body.data[0].code, path).toBe("resource-not-found");
    }
    expect((await client.post(`/users/${other.id}/connections/${ownerConnection.id}/refresh`)).status).toBe(
      404,
    );
    expect((await client.post(`/users/${other.id}/connections/${ownerConnection.id}/purge`)).status).toBe(
      404,
    );
    expect((await client.delete(`/users/${other.id}/connections/${ownerConnection.id}`)).status).toBe(404);
  });

  it("filters connections by status and institution, and jobs by connection (newest first)", async () => {
    const { client } = running;
    const { user } = find((u) => new Set(u.connections.map((c) => c.institutionId)).size > 1);
    const institution = user.connections[0]?.institutionId ?? "";
    const byInstitution = await client.get(
      `/users/${user.id}/connections?filter=institution.id.eq('${institution}')`,
    );
    expect(byInstitution.body.data.map((c: Loose) => c.institution.id)).toEqual(
      user.connections.filter((c) => c.institutionId === institution).map(() => institution),
    );
    const active = await client.get(`/users/${user.id}/connections?filter=connection.status.eq('active')`);
    expect(active.body.data.every((c: Loose) => c.status === "active")).toBe(true);

    const connection = user.connections[1] as SeedConnection;
    const jobs = await client.get(`/users/${user.id}/jobs?filter=connection.id.eq('${connection.id}')`);
    expect(jobs.body.size).toBe(connection.jobs.length);
    expect(jobs.body.data.map((j: Loose) => j.id)).toEqual([...connection.jobs].reverse().map((j) => j.id));
    const all = await client.get(`/users/${user.id}/jobs`);
    const created = all.body.data.map((j: Loose) => Date.parse(j.created));
    expect(created).toEqual([...created].sort((a, b) => b - a));
  });

  it("refresh: 202 and a job whose steps advance verify → accounts → transactions, then success", async () => {
    const { client } = running;
    const { user, connection } = find((_, c) => c.method === "web" && c.status === "active");
    const started = await client.post(`${connectionPath(user, connection)}/refresh`);
    expect(started.status).toBe(202);
    expect(started.body).toMatchObject({
      type: "job",
      links: { self: `${client.base}/jobs/${started.body.id as string}` },
    });

    // Poll until done and record each distinct state the job went through.
    const seen: string[] = [];
    for (let polls = 0; polls < 100; polls++) {
      const steps = (await client.get(`/jobs/${started.body.id as string}`)).body.steps as Loose[];
      const state = steps.map((s) => s.status).join(",");
      if (seen[seen.length - 1] !== state) seen.push(state);
      if (state === "success,success,success") break;
      await sleep(REFRESH_STEP_MS / 10);
    }
    expect(seen).toEqual([
      "in-progress,pending,pending",
      "success,in-progress,pending",
      "success,success,in-progress",
      "success,success,success",
    ]);
    const done = await client.get(`/jobs/${started.body.id as string}`);
    expect(done.body.steps.map((s: Loose) => s.status)).toEqual(["success", "success", "success"]);
    expect(done.body.steps.map((s: Loose) => s.result.type)).toEqual(["link", "link", "link"]);
    expect(done.body.links.source).toBe(`${client.base}${connectionPath(user, connection)}`);

    const jobs = await client.get(`/users/${user.id}/jobs?filter=connection.id.eq('${connection.id}')`);
    expect(jobs.body.data[0].id).toBe(started.body.id);
    const refreshed = await client.get(connectionPath(user, connection));
    expect(Date.parse(refreshed.body.lastUsed)).toBeGreaterThan(Date.now() - 60_000);
  });

  it("refresh of an invalid connection fails on verify-credentials with the connection's failure", async () => {
    const { client } = running;
    const { user, connection } = find((_, c) => c.status === "invalid" && c.method === "web");
    const started = await client.post(`${connectionPath(user, connection)}/refresh`);
    await sleep(REFRESH_STEP_MS + 150);
    const job = await client.get(`/jobs/${started.body.id as string}`);
    expect(job.body.steps.map((s: Loose) => s.status)).toEqual(["failed", "pending", "pending"]);
    expect(job.body.steps[0].result).toMatchObject({
      type: "error",
      code: expect.stringMatching(/invalid-credentials|user-action-required/),
    });
  });

  /** No job of this connection in the last day, none running: a full budget. */
  const idle = (c: SeedConnection) =>
    c.status === "active" && c.jobs.every((j) => j.created < Date.now() - DAY && j.steps.every((st) => st.status !== "in-progress"));
  /** Lets the job just started finish (3 steps of REFRESH_STEP_MS) before the next refresh. */
  const finishJobs = () => running.client.advanceClock(Math.ceil((4 * REFRESH_STEP_MS) / 1000));

  it(`refuses the ${OPEN_BANKING_REFRESH_LIMIT + 1}th open-banking refresh in 24 hours with 403 forbidden-access; web is not limited; reset restores it`, async () => {
    const { client } = running;
    const ob = find((_, c) => c.method === "openbanking" && idle(c));
    for (let i = 0; i < OPEN_BANKING_REFRESH_LIMIT; i++) {
      expect(
        (await client.post(`${connectionPath(ob.user, ob.connection)}/refresh`)).status,
        `refresh ${i + 1}`,
      ).toBe(202);
      await finishJobs();
    }
    const refused = await client.post(`${connectionPath(ob.user, ob.connection)}/refresh`);
    // The spec documents 202/400/403/404/500/503 for this operation, never 429.
    expect(refused.status).toBe(403);
    expect(refused.body.data[0]).toMatchObject({ type: "error", code: "forbidden-access" });
    expect(refused.body.data[0].detail).toMatch(/20 times in 24 hours/);

    const web = find((_, c) => c.method === "web" && idle(c));
    for (let i = 0; i <= OPEN_BANKING_REFRESH_LIMIT; i++) {
      expect((await client.post(`${connectionPath(web.user, web.connection)}/refresh`)).status).toBe(202);
      await finishJobs();
    }
    await client.reset();
    expect((await client.post(`${connectionPath(ob.user, ob.connection)}/refresh`)).status).toBe(202);
  });

  it("a refresh while a job is queued or running answers 200 with the original job and starts nothing", async () => {
    const { client } = running;
    const { user, connection } = find((_, c) => c.method === "openbanking" && idle(c));
    const path = `${connectionPath(user, connection)}/refresh`;
    const first = await client.post(path);
    expect(first.status).toBe(202);
    const again = await Promise.all([client.post(path), client.post(path)]);
    expect(again.map((r) => r.status)).toEqual([200, 200]);
    expect(again.map((r) => r.body.id)).toEqual([first.body.id, first.body.id]);
    const jobs = await client.get(`/users/${user.id}/jobs?filter=connection.id.eq('${connection.id}')`);
    expect(jobs.body.data.filter((j: Loose) => j.id === first.body.id)).toHaveLength(1);
    expect(jobs.body.data).toHaveLength(connection.jobs.length + 1);
    // Once it has finished, the next refresh starts a new job.
    await finishJobs();
    const next = await client.post(path);
    expect(next.status).toBe(202);
    expect(next.body.id).not.toBe(first.body.id);
  });

  it("a seeded job still in progress is the one a refresh joins", async () => {
    const { user, connection } = find((_, c) => c.method !== "csv" && c.method !== "pdf" && c.jobs.some((j) => j.steps.some((st) => st.status === "in-progress")));
    const runningJob = [...connection.jobs].reverse().find((j) => j.steps.some((st) => st.status === "in-progress"));
    const reply = await running.client.post(`${connectionPath(user, connection)}/refresh`);
    expect(reply.status).toBe(200);
    expect(reply.body.id).toBe(runningJob?.id);
  });

  it("refuses to refresh a connection made from an uploaded statement (400)", async () => {
    const { user, connection } = find((_, c) => c.method === "pdf");
    const reply = await running.client.post(`${connectionPath(user, connection)}/refresh`);
    expect(reply.status).toBe(400);
    expect(reply.body.data[0]).toMatchObject({
      code: "parameter-not-valid",
      source: { parameter: "connectionId" },
    });
  });

  it("purge: 204 on an active connection; its accounts go (from the connection and the user), the id stays", async () => {
    const { client } = running;
    const { user, connection } = find(
      (_, c) => c.status === "active" && c.method === "web" && c.accounts.length > 0,
    );
    const before = await client.get(`/users/${user.id}`);
    const purged = await client.post(`${connectionPath(user, connection)}/purge`);
    expect(purged.status).toBe(204);
    const after = await client.get(connectionPath(user, connection));
    expect(after.status).toBe(200);
    expect(after.body.id).toBe(connection.id);
    expect(after.body.accounts.data).toEqual([]);
    const userAfter = await client.get(`/users/${user.id}`);
    expect(userAfter.body.accounts.count).toBe(before.body.accounts.count - connection.accounts.length);
    expect(userAfter.body.connections.count).toBe(before.body.connections.count);

    // Purge then refresh rebuilds the data once the new job has retrieved the accounts.
    await client.post(`${connectionPath(user, connection)}/refresh`);
    await sleep(2 * REFRESH_STEP_MS + 150);
    const rebuilt = await client.get(connectionPath(user, connection));
    expect(rebuilt.body.accounts.data.map((a: Loose) => a.id)).toEqual(connection.accounts.map((a) => a.id));
  });

  it("purge: 400 parameter-not-valid for invalid and pending connections", async () => {
    for (const status of ["invalid", "pending"] as const) {
      const { user, connection } = find((_, c) => c.status === status);
      const reply = await running.client.post(`${connectionPath(user, connection)}/purge`);
      expect(reply.status, status).toBe(400);
      expect(reply.body.data[0]).toMatchObject({
        code: "parameter-not-valid",
        source: { parameter: "connectionId" },
      });
      expect(reply.body.data[0].detail).toMatch(/only applicable for active/);
    }
  });

  it("delete: 204, then the connection, its jobs and its accounts are gone; reset brings them back", async () => {
    const { client } = running;
    const { user, connection } = find(
      (u, c) => u.connections.length > 1 && c.jobs.length > 0 && c.accounts.length > 0,
    );
    expect((await client.delete(connectionPath(user, connection))).status).toBe(204);
    expect((await client.get(connectionPath(user, connection))).status).toBe(404);
    expect((await client.post(`${connectionPath(user, connection)}/refresh`)).status).toBe(404);
    expect((await client.get(`/jobs/${connection.jobs[0]?.id ?? ""}`)).status).toBe(404);
    const list = await client.get(`/users/${user.id}/connections`);
    expect(list.body.data.map((c: Loose) => c.id)).not.toContain(connection.id);
    const profile = await client.get(`/users/${user.id}`);
    expect(profile.body.connections.count).toBe(user.connections.length - 1);
    expect(profile.body.accounts.data.map((a: Loose) => a.id)).not.toContain(connection.accounts[0]?.id);

    await client.reset();
    expect((await client.get(connectionPath(user, connection))).status).toBe(200);
  });

  it("connectors: filter by status, method (either spelling), tier; detail by id and method", async () => {
    const { client } = running;
    const outage = await client.get("/connectors?filter=connector.status.eq('major-outage')");
    expect(outage.body.totalCount).toBeGreaterThan(0);
    expect(outage.body.data.every((c: Loose) => c.status === "major-outage")).toBe(true);
    const openBanking = await client.get("/connectors?filter=connector.method.eq('open-banking')");
    expect(openBanking.body.data.every((c: Loose) => c.method === "openbanking")).toBe(true);
    expect(openBanking.body.totalCount).toBeGreaterThan(5);
    const tiers = await client.get(
      "/connectors?filter=connector.stage.eq('live'),connector.institution.tier.in('1','2')",
    );
    expect(
      tiers.body.data.every((c: Loose) => c.stage === "live" && ["1", "2"].includes(c.institution.tier)),
    ).toBe(true);
    const hooli = await client.get("/connectors/AU00000/openbanking");
    expect(hooli.body).toMatchObject({
      id: "AU00000",
      method: "openbanking",
      institution: { shortName: "Hooli" },
    });
    expect((await client.get("/connectors/AU00000/carrier-pigeon")).status).toBe(400);
  });
});
