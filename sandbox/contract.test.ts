// Contract tests: every answer the sandbox gives is checked against the response schema of that operation in
// Basiq's OpenAPI documents (../shared/basiq-openapi beside the repo, read at test time). Properties the
// schema does not declare are listed per operation below; any other undeclared property fails the test, so a
// misspelt field cannot slip through.
import path from "node:path";
import { fileURLToPath } from "node:url";

import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { generateDataset, type SeedUser } from "./data";
import { type SandboxClient, startTestSandbox, type Reply, type TestSandbox } from "./test-support/client";
import { validate } from "./test-support/json-schema";
import {
  DELIBERATE_EXTRAS,
  ENUM_ERRATA,
  FALLBACK_OPERATIONS,
  isEnumErratum,
  ONE_OF_READ_AS_ANY_OF,
} from "./test-support/spec-errata";
import {
  documentsStatus,
  loadSpec,
  responseSchema,
  specAvailable,
  type OpenApiDocuments,
} from "./test-support/openapi";

const SPEC_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../shared/basiq-openapi");
const specPresent = specAvailable(SPEC_DIR);
const inCi = !!process.env.CI;
if (!specPresent && !inCi) {
  console.warn(`[sandbox] Contract tests skipped: Basiq's OpenAPI documents were not found at ${SPEC_DIR}.`);
}

// In CI (CI is set, as .ci/run does) the documents are required: a missing ../shared must fail the run, not
// quietly skip the contract.
if (inCi) {
  it("Basiq's OpenAPI documents are present (CI)", () => {
    expect(specPresent, `Basiq's OpenAPI documents were not found at ${SPEC_DIR}`).toBe(true);
  });
}

const USERS = 80;
const SEED = 7;

describe.skipIf(!specPresent && !inCi)("sandbox conforms to Basiq's OpenAPI documents", () => {
  let spec: OpenApiDocuments;
  let running: TestSandbox;
  let client: SandboxClient;
  const dataset = generateDataset({ users: USERS, seed: SEED });
  const sampleUsers: SeedUser[] = Array.from({ length: USERS }, (_, index) => dataset.user(index));

  beforeAll(async () => {
    spec = loadSpec(SPEC_DIR);
    running = await startTestSandbox({ users: USERS, seed: SEED });
    client = running.client;
  });
  afterAll(async () => {
    await running.sandbox.close();
  });

  function expectConforms(
    reply: Reply,
    method: string,
    template: string,
    options: { oneOf?: "at-least-one" } = {},
  ): void {
    const [schemaMethod, schemaPath] = documentsStatus(spec, method, template, reply.status)
      ? [method, template]
      : (FALLBACK_OPERATIONS[reply.status] ?? [method, template]);
    const { schema, root } = responseSchema(spec, schemaMethod, schemaPath, reply.status);
    const undeclared = new Set<string>();
    const operation = `${method} ${template}`;
    const issues = validate(schema, reply.body, {
      root,
      oneOf: options.oneOf ?? (ONE_OF_READ_AS_ANY_OF.includes(operation) ? "at-least-one" : undefined),
      onUndeclaredProperty: (p) => undeclared.add(p.replace(/\[\d+\]/g, "[]")),
    }).filter((issue) => {
      if (!isEnumErratum(operation, issue.path, issue.message)) return true;
      seenErrata.add(`${operation} ${issue.path.replace(/\[\d+\]/g, "[]")}`);
      return false;
    });
    const label = `${method} ${template} → ${reply.status}`;
    expect(issues, `${label}: ${reply.text.slice(0, 300)}`).toEqual([]);
    const allowed = reply.status < 300 ? (DELIBERATE_EXTRAS[`${method} ${template}`] ?? []) : [];
    expect(
      [...undeclared].filter((p) => !allowed.includes(p)),
      `${label}: undeclared properties`,
    ).toEqual([]);
    for (const p of undeclared) seenExtras.add(`${method} ${template} ${p}`);
  }
  const seenExtras = new Set<string>();
  const seenErrata = new Set<string>();

  const userPath = (user: SeedUser) => `/users/${user.id}`;
  const firstConnection = (
    predicate: (user: SeedUser, connection: SeedUser["connections"][number]) => boolean,
  ) => {
    for (const user of sampleUsers) {
      for (const connection of user.connections) if (predicate(user, connection)) return { user, connection };
    }
    throw new Error("No matching connection in the sample");
  };

  it('POST /token: 200, 400 without basiq-version or scope, 404 "check your API key" with a wrong key', async () => {
    expectConforms(await client.requestToken(), "POST", "/token");
    const noVersion = await client.requestToken({ version: null });
    expect(noVersion.status).toBe(400);
    expectConforms(noVersion, "POST", "/token");
    const noScope = await client.requestToken({ body: "" });
    expect(noScope.status).toBe(400);
    expectConforms(noScope, "POST", "/token");
    const wrongKey = await client.requestToken({ authorization: "Basic not-the-key" });
    expect(wrongKey.status).toBe(404);
    expectConforms(wrongKey, "POST", "/token");
  });

  it("GET /users/{userId}: every sampled user, and 404", async () => {
    for (const user of sampleUsers) {
      const reply = await client.get(userPath(user));
      expect(reply.status).toBe(200);
      expectConforms(reply, "GET", "/users/{userId}");
    }
    const missing = await client.get("/users/00000000-0000-4000-8000-000000000000");
    expect(missing.status).toBe(404);
    expectConforms(missing, "GET", "/users/{userId}");
  });

  it("GET /users/{userId}/connections and /connections/{connectionId}: every sampled connection", async () => {
    let connections = 0;
    for (const user of sampleUsers) {
      const list = await client.get(`${userPath(user)}/connections`);
      expect(list.status).toBe(200);
      expectConforms(list, "GET", "/users/{userId}/connections");
      for (const connection of user.connections) {
        const detail = await client.get(`${userPath(user)}/connections/${connection.id}`);
        expect(detail.status).toBe(200);
        expectConforms(detail, "GET", "/users/{userId}/connections/{connectionId}");
        connections++;
      }
    }
    expect(connections).toBeGreaterThan(USERS);
    const filtered = await client.get(
      `${userPath(dataset.user(1))}/connections?filter=institution.id.eq('AU00000')`,
    );
    expectConforms(filtered, "GET", "/users/{userId}/connections");
    const badFilter = await client.get(`${userPath(dataset.user(1))}/connections?filter=colour.eq('blue')`);
    expect(badFilter.status).toBe(400);
    expectConforms(badFilter, "GET", "/users/{userId}/connections");
    const [owner, other] = [dataset.user(0), dataset.user(1)];
    const foreign = await client.get(`${userPath(other)}/connections/${owner.connections[0]?.id ?? ""}`);
    expect(foreign.status).toBe(404);
    expectConforms(foreign, "GET", "/users/{userId}/connections/{connectionId}");
  });

  it("GET /users/{userId}/jobs and GET /jobs/{jobId}: every sampled job, including failed and running ones", async () => {
    let jobs = 0;
    for (const user of sampleUsers) {
      const list = await client.get(`${userPath(user)}/jobs`);
      expect(list.status).toBe(200);
      expectConforms(list, "GET", "/users/{userId}/jobs");
      for (const connection of user.connections) {
        for (const job of connection.jobs) {
          const detail = await client.get(`/jobs/${job.id}`);
          expect(detail.status).toBe(200);
          // The `job` schema is a oneOf of three branches that require nothing, so any job matches all three;
          // check "at least one", then the first (the refresh-job shape) on its own.
          expectConforms(detail, "GET", "/jobs/{jobId}", { oneOf: "at-least-one" });
          const { schema, root } = responseSchema(spec, "GET", "/jobs/{jobId}", 200);
          expect(validate((schema.oneOf as unknown[])[0], detail.body, { root })).toEqual([]);
          jobs++;
        }
      }
    }
    expect(jobs).toBeGreaterThan(2 * USERS);
    const filtered = await client.get(
      `${userPath(dataset.user(0))}/jobs?filter=connection.id.eq('${dataset.user(0).connections[0]?.id ?? ""}')`,
    );
    expectConforms(filtered, "GET", "/users/{userId}/jobs");
    const badFilter = await client.get(`${userPath(dataset.user(0))}/jobs?filter=connection.id.eq(`);
    expect(badFilter.status).toBe(400);
    expectConforms(badFilter, "GET", "/users/{userId}/jobs");
    const missing = await client.get(`/jobs/00000000-0000-4000-8000-000000000000`);
    expect(missing.status).toBe(404);
    expectConforms(missing, "GET", "/jobs/{jobId}");
  });

  it("POST .../refresh: 202 with a job that conforms while it runs and when done; 400 for a statement connection", async () => {
    const { user, connection } = firstConnection((_, c) => c.method === "web" && c.status === "active");
    const reply = await client.post(`${userPath(user)}/connections/${connection.id}/refresh`);
    expect(reply.status).toBe(202);
    expectConforms(reply, "POST", "/users/{userId}/connections/{connectionId}/refresh");
    const running = await client.get(`/jobs/${reply.body.id as string}`);
    expectConforms(running, "GET", "/jobs/{jobId}", { oneOf: "at-least-one" });
    expectConforms(await client.get(`${userPath(user)}/jobs`), "GET", "/users/{userId}/jobs");

    const statement = firstConnection((_, c) => c.method === "csv");
    const refused = await client.post(
      `${userPath(statement.user)}/connections/${statement.connection.id}/refresh`,
    );
    expect(refused.status).toBe(400);
    expectConforms(refused, "POST", "/users/{userId}/connections/{connectionId}/refresh");
  });

  it("POST .../refresh while a job runs: 200 with the original job (erratum); past the open-banking budget: 403", async () => {
    const { user, connection } = firstConnection(
      (_, c) =>
        c.method === "openbanking" &&
        c.status === "active" &&
        c.jobs.every((j) => j.created < Date.now() - 86_400_000 && j.steps.every((st) => st.status !== "in-progress")),
    );
    const path = `${userPath(user)}/connections/${connection.id}/refresh`;
    const first = await client.post(path);
    const joined = await client.post(path);
    expect([first.status, joined.status]).toEqual([202, 200]);
    expect(joined.body.id).toBe(first.body.id);
    expectConforms(joined, "POST", "/users/{userId}/connections/{connectionId}/refresh");
    let last: Reply | undefined;
    for (let i = 0; i < 20; i++) {
      await client.control("POST", "clock", { advanceSeconds: 4 });
      last = await client.post(path);
    }
    expect(last?.status).toBe(403);
    if (last) expectConforms(last, "POST", "/users/{userId}/connections/{connectionId}/refresh");
  });

  it("POST .../purge: 204 with no body; 400 for a connection that is not active", async () => {
    const { user, connection } = firstConnection((u, c) => c.status === "active" && u.index > 30);
    const purged = await client.post(`${userPath(user)}/connections/${connection.id}/purge`);
    expect(purged.status).toBe(204);
    expect(purged.text).toBe("");
    expectConforms(
      await client.get(`${userPath(user)}/connections/${connection.id}`),
      "GET",
      "/users/{userId}/connections/{connectionId}",
    );
    const invalid = firstConnection((_, c) => c.status === "invalid");
    const refused = await client.post(`${userPath(invalid.user)}/connections/${invalid.connection.id}/purge`);
    expect(refused.status).toBe(400);
    expectConforms(refused, "POST", "/users/{userId}/connections/{connectionId}/purge");
  });

  it("DELETE .../{connectionId}: 204, then 404", async () => {
    const { user, connection } = firstConnection((u) => u.index > 40 && u.connections.length > 1);
    const deleted = await client.delete(`${userPath(user)}/connections/${connection.id}`);
    expect(deleted.status).toBe(204);
    expect(deleted.text).toBe("");
    const again = await client.delete(`${userPath(user)}/connections/${connection.id}`);
    expect(again.status).toBe(404);
    expectConforms(again, "DELETE", "/users/{userId}/connections/{connectionId}");
  });

  it("GET /connectors (with and without filter) and every GET /connectors/{connectorId}/{method}", async () => {
    const list = await client.get("/connectors");
    expectConforms(list, "GET", "/connectors");
    expectConforms(
      await client.get("/connectors?filter=connector.status.eq('major-outage')"),
      "GET",
      "/connectors",
    );
    const badFilter = await client.get("/connectors?filter=connector.status.like('x')");
    expect(badFilter.status).toBe(400);
    expectConforms(badFilter, "GET", "/connectors");
    for (const connector of list.body.data as { id: string; method: string }[]) {
      const detail = await client.get(`/connectors/${connector.id}/${connector.method}`);
      expect(detail.status).toBe(200);
      expectConforms(detail, "GET", "/connectors/{connectorId}/{method}");
    }
    const missing = await client.get("/connectors/AU99999/web");
    expect(missing.status).toBe(404);
    expectConforms(missing, "GET", "/connectors/{connectorId}/{method}");
    const badId = await client.get("/connectors/hooli/web");
    expect(badId.status).toBe(400);
    expectConforms(badId, "GET", "/connectors/{connectorId}/{method}");
  });

  it("GET /events: every page, and 400 for a bad filter", async () => {
    let next: string | undefined = "/events?limit=25";
    let pages = 0;
    while (next) {
      const page: Reply = await client.get(next.replace(client.base, ""));
      expect(page.status).toBe(200);
      expectConforms(page, "GET", "/events");
      next = page.body.links.next as string | undefined;
      pages++;
    }
    expect(pages).toBeGreaterThan(0);
    const badFilter = await client.get("/events?filter=event.colour.eq('red')");
    expect(badFilter.status).toBe(400);
    expectConforms(badFilter, "GET", "/events");
  });

  it("GET /events/types: the list the console's health probe reads", async () => {
    const reply = await client.get("/events/types");
    expect(reply.status).toBe(200);
    expectConforms(reply, "GET", "/events/types");
    expect((reply.body.data as { id: string }[]).map((t) => t.id)).toContain("connection.invalidated");
  });

  it("401 for an unknown token, on every route, in UnauthorizedError's shape", async () => {
    const user = dataset.user(0);
    const connection = user.connections[0]?.id ?? "";
    const routes: [string, string, string][] = [
      ["GET", `/users/${user.id}`, "/users/{userId}"],
      ["GET", `/users/${user.id}/connections`, "/users/{userId}/connections"],
      ["GET", `/users/${user.id}/connections/${connection}`, "/users/{userId}/connections/{connectionId}"],
      [
        "POST",
        `/users/${user.id}/connections/${connection}/refresh`,
        "/users/{userId}/connections/{connectionId}/refresh",
      ],
      [
        "POST",
        `/users/${user.id}/connections/${connection}/purge`,
        "/users/{userId}/connections/{connectionId}/purge",
      ],
      ["DELETE", `/users/${user.id}/connections/${connection}`, "/users/{userId}/connections/{connectionId}"],
      ["GET", `/users/${user.id}/jobs`, "/users/{userId}/jobs"],
      ["GET", `/jobs/${user.connections[0]?.jobs[0]?.id ?? ""}`, "/jobs/{jobId}"],
      ["GET", "/connectors", "/connectors"],
      ["GET", "/connectors/AU00000/web", "/connectors/{connectorId}/{method}"],
      ["GET", "/events", "/events"],
    ];
    for (const [method, concrete, template] of routes) {
      const reply = await client.request(concrete, { method, token: "not-a-token" });
      expect(reply.status, `${method} ${concrete}`).toBe(401);
      expect(reply.body.data[0].code).toBe("invalid-authorization-token");
      expectConforms(reply, method, template);
    }
  });

  it("every listed deliberate extra was actually sent (the list stays honest)", () => {
    const listed = Object.entries(DELIBERATE_EXTRAS).flatMap(([operation, paths]) =>
      paths.map((p) => `${operation} ${p}`),
    );
    expect(listed.filter((entry) => !seenExtras.has(entry))).toEqual([]);
  });

  it("every listed enum erratum was actually sent (the errata list stays honest)", () => {
    const listed = ENUM_ERRATA.flatMap((e) => e.operations.map((operation) => `${operation} ${e.path}`));
    expect(listed.filter((entry) => !seenErrata.has(entry))).toEqual([]);
  });

  it('403 "Token has expired" (token-expired fault) and 400 unsupported-accept in Basiq\'s error shapes', async () => {
    const user = dataset.user(0);
    try {
      await client.fault({ kind: "token-expired", route: "GET /users/{userId}", count: 1 });
      const expired = await client.get(`/users/${user.id}`);
      expect(expired.status).toBe(403);
      expectConforms(expired, "GET", "/users/{userId}");
      const xml = await client.get(`/users/${user.id}`, { headers: { accept: "application/xml" } });
      expect(xml.status).toBe(400);
      expect(xml.body.data[0].code).toBe("unsupported-accept");
      expectConforms(xml, "GET", "/users/{userId}");
    } finally {
      await client.control("DELETE", "faults");
    }
  });

  it("fault bodies: status faults conform; a malformed fault does not", async () => {
    const user = dataset.user(2);
    try {
      await client.fault({ kind: "status", route: "GET /users/{userId}/connections", status: 503, count: 1 });
      const unavailable = await client.get(`/users/${user.id}/connections`);
      expect(unavailable.status).toBe(503);
      expectConforms(unavailable, "GET", "/users/{userId}/connections");

      await client.fault({ kind: "status", route: "GET /connectors", status: 500, count: 1 });
      const broken = await client.get("/connectors");
      expect(broken.status).toBe(500);
      expectConforms(broken, "GET", "/connectors");

      await client.fault({ kind: "status", route: "GET /events", status: 429, retryAfter: 2, count: 1 });
      const limited = await client.get("/events");
      expect(limited.status).toBe(429);
      expectConforms(limited, "GET", "/events");

      await client.fault({ kind: "malformed", route: "GET /users/{userId}/connections", count: 1 });
      const malformed = await client.get(`/users/${user.id}/connections`);
      expect(malformed.status).toBe(200);
      const { schema, root } = responseSchema(spec, "GET", "/users/{userId}/connections", 200);
      expect(validate(schema, malformed.body, { root }).length).toBeGreaterThan(0);
    } finally {
      await client.control("DELETE", "faults");
    }
  });
});
