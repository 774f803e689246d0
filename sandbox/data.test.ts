// The seeded dataset: deterministic, seed-dependent, and covering what the console has to show.
import { describe, expect, it } from "vitest";

import { CONNECTORS, INSTITUTIONS, findConnector } from "./catalogue";
import {
  AUTHORIZATION_TYPES,
  CONNECTOR_STAGES,
  CONNECTOR_STATUSES,
  DAY,
  GUIDE_ONLY_FAILURE_CODES,
  INSTITUTION_TIERS,
  JOB_FAILURE_CODES,
  JOB_RESULT_CODES,
  PERSONAS,
  generateDataset,
  type SeedUser,
} from "./data";
import { JOB_FAILURES, LIVE_STEPS, STATEMENT_STEPS } from "./failures";
import { IdCodec } from "./ids";

const ANCHOR = Date.UTC(2026, 10, 24, 12);
const allUsers = (users: number, seed: number): SeedUser[] => {
  const dataset = generateDataset({ users, seed, anchor: ANCHOR });
  return Array.from({ length: users }, (_, index) => dataset.user(index));
};

describe("determinism", () => {
  it("the same seed gives the same data", () => {
    expect(allUsers(300, 1)).toEqual(allUsers(300, 1));
  });

  it("a different seed gives different ids, people and histories", () => {
    const [one, two] = [allUsers(300, 1), allUsers(300, 2)];
    const ids = (users: SeedUser[]) => users.map((user) => user.id);
    expect(ids(one).filter((id) => ids(two).includes(id))).toEqual([]);
    const names = (users: SeedUser[]) =>
      users.slice(PERSONAS.length).map((user) => `${user.firstName} ${user.lastName}`);
    expect(names(one)).not.toEqual(names(two));
    const shape = (users: SeedUser[]) =>
      users.map((user) => user.connections.map((c) => `${c.institutionId}/${c.method}/${c.status}`));
    expect(shape(one)).not.toEqual(shape(two));
  });

  it("user i does not depend on how many users there are", () => {
    const small = generateDataset({ users: 100, seed: 5, anchor: ANCHOR });
    const large = generateDataset({ users: 50_000, seed: 5, anchor: ANCHOR });
    expect(large.user(77)).toEqual(small.user(77));
  });

  it("rejects impossible sizes and seeds", () => {
    expect(() => generateDataset({ users: -1, seed: 1 })).toThrow(RangeError);
    expect(() => generateDataset({ users: 10, seed: 1.5 })).toThrow(RangeError);
    expect(() => generateDataset({ users: 10, seed: 1 }).user(10)).toThrow(RangeError);
  });
});

describe("personas", () => {
  const dataset = generateDataset({ users: 300, seed: 1, anchor: ANCHOR });

  it("starts with Basiq's sandbox personas, with AU mobiles in E.164", () => {
    const first = Array.from({ length: 5 }, (_, index) => dataset.user(index));
    expect(first.map((user) => user.persona?.loginId)).toEqual([
      "Wentworth-Smith",
      "Whistler",
      "Gilfoyle",
      "gavinBelson",
      "jared",
    ]);
    expect(first.map((user) => user.lastName)).toEqual([
      "Wentworth-Smith",
      "Whistler",
      "Gilfoyle",
      "Belson",
      "Dunn",
    ]);
    for (const user of first) {
      expect(user.email).toMatch(/@hooli\.com$/);
      expect(user.mobile).toMatch(/^\+614\d{8}$/);
      expect(
        user.connections.some((c) => c.institutionId === "AU00000" || c.institutionId === "AU00004"),
      ).toBe(true);
    }
  });

  it("has one failing persona per failure code, failing on that code's step with {type, code, title, detail}", () => {
    const summaries = dataset.personas();
    expect(summaries).toHaveLength(PERSONAS.length);
    const failing = summaries.slice(5, 5 + JOB_FAILURE_CODES.length);
    expect(failing.map((p) => p.demonstrates).sort()).toEqual([...JOB_FAILURE_CODES].sort());
    for (const summary of failing) {
      const failure = JOB_FAILURES.find((f) => f.code === summary.demonstrates);
      expect(failure, summary.demonstrates).toBeDefined();
      expect(summary.failedStep, summary.demonstrates).toBe(failure?.step);
      const user = dataset.user(summary.index);
      const connection = user.connections.find((c) => c.id === summary.connectionId);
      const job = connection?.jobs.find((j) => j.id === summary.failedJobId);
      expect(job, summary.demonstrates).toBeDefined();
      const failed = job?.steps.find((step) => step.status === "failed");
      expect(failed?.failure?.title).toBeTruthy();
      expect(failed?.failure?.detail).toBeTruthy();
      // Steps after the failure never ran.
      const after = job?.steps.slice((job.steps.findIndex((s) => s.status === "failed") ?? 0) + 1) ?? [];
      expect(after.every((step) => step.status === "pending")).toBe(true);
      // The newest job of the persona's connection is the failed one.
      expect(connection?.jobs[connection.jobs.length - 1]?.id).toBe(summary.failedJobId);
      expect(connection?.status).toBe(failure?.invalidatesConnection ? "invalid" : "active");
    }
  });

  it("puts failures on the right step: credentials on verify-credentials, statement files on statement steps", () => {
    const stepOf = (code: string) => JOB_FAILURES.find((f) => f.code === code)?.step;
    expect(stepOf("invalid-credentials")).toBe("verify-credentials");
    expect(stepOf("user-action-required")).toBe("verify-credentials");
    expect(stepOf("bank-statement-invalid")).toBe("retrieve-statements");
    expect(stepOf("invalid-csv-row")).toBe("retrieve-transactions");
    for (const failure of JOB_FAILURES) {
      const steps = failure.method === "csv" || failure.method === "pdf" ? STATEMENT_STEPS : LIVE_STEPS;
      expect(steps, failure.code).toContain(failure.step);
    }
  });

  it("covers every documented result code except success, plus the two guide-only codes", () => {
    const expected = [...JOB_RESULT_CODES.filter((code) => code !== "success"), ...GUIDE_ONLY_FAILURE_CODES];
    expect([...JOB_FAILURE_CODES].sort()).toEqual(expected.sort());
  });
});

describe("random users (default 300)", () => {
  const users = allUsers(300, 1).slice(PERSONAS.length);
  const connections = users.flatMap((user) => user.connections);

  it("have 0–4 connections across institutions and both live methods, mostly active", () => {
    const counts = new Set(users.map((user) => user.connections.length));
    expect([...counts].sort()).toEqual([0, 1, 2, 3, 4]);
    expect(new Set(connections.map((c) => c.method))).toEqual(new Set(["web", "openbanking"]));
    expect(new Set(connections.map((c) => c.institutionId)).size).toBeGreaterThanOrEqual(8);
    const byStatus = (status: string) => connections.filter((c) => c.status === status).length;
    expect(byStatus("active")).toBeGreaterThan(connections.length * 0.6);
    expect(byStatus("invalid")).toBeGreaterThan(0);
    expect(byStatus("pending")).toBeGreaterThan(0);
  });

  it("have 1–6 jobs per connection in the last 30 days, mostly successful, some failed and some running", () => {
    const jobs = connections.flatMap((c) => c.jobs);
    for (const connection of connections) {
      expect(connection.jobs.length).toBeGreaterThanOrEqual(1);
      expect(connection.jobs.length).toBeLessThanOrEqual(6);
      for (const job of connection.jobs) {
        expect(job.created).toBeGreaterThanOrEqual(ANCHOR - 30 * DAY);
        expect(job.created).toBeLessThanOrEqual(ANCHOR);
        expect(job.created).toBeGreaterThanOrEqual(connection.createdDate);
        expect(job.updated).toBeGreaterThanOrEqual(job.created);
      }
    }
    const failed = jobs.filter((job) => job.steps.some((step) => step.status === "failed")).length;
    const running = jobs.filter((job) => job.steps.some((step) => step.status === "in-progress")).length;
    expect(failed).toBeGreaterThan(0);
    expect(failed).toBeLessThan(jobs.length * 0.3);
    expect(running).toBeGreaterThan(0);
    expect(
      new Set(jobs.flatMap((job) => job.steps.map((step) => step.failure?.code).filter(Boolean))).size,
    ).toBeGreaterThan(5);
  });

  it("invalid connections end in a credentials or consent failure; web has no expiry, open banking does", () => {
    for (const connection of connections) {
      if (connection.status === "invalid") {
        const newest = connection.jobs[connection.jobs.length - 1];
        const failure = newest?.steps.find((step) => step.status === "failed")?.failure;
        expect(failure?.invalidatesConnection).toBe(true);
      }
      expect(connection.expiryDate === null).toBe(connection.method !== "openbanking");
    }
  });

  it("use connectors that exist", () => {
    for (const connection of connections)
      expect(findConnector(connection.institutionId, connection.method)).toBeDefined();
  });
});

describe("catalogue", () => {
  it("covers every connector status, stage, tier and authorization type", () => {
    expect(new Set(CONNECTORS.map((c) => c.status))).toEqual(new Set(CONNECTOR_STATUSES));
    expect(new Set(CONNECTORS.map((c) => c.stage))).toEqual(new Set(CONNECTOR_STAGES));
    expect(new Set(CONNECTORS.map((c) => c.authorization))).toEqual(new Set(AUTHORIZATION_TYPES));
    expect(new Set(INSTITUTIONS.map((i) => i.tier))).toEqual(new Set(INSTITUTION_TIERS));
  });

  it("gives every institution both a web and an open-banking connector, Hooli and HooliGov included", () => {
    for (const institution of INSTITUTIONS) {
      expect(findConnector(institution.id, "web"), institution.id).toBeDefined();
      expect(findConnector(institution.id, "openbanking"), institution.id).toBeDefined();
    }
    expect(INSTITUTIONS.map((i) => i.id)).toEqual(expect.arrayContaining(["AU00000", "AU00004"]));
  });

  it("has a connector for every failing persona's institution and method", () => {
    for (const failure of JOB_FAILURES)
      expect(findConnector(failure.institutionId, failure.method), failure.code).toBeDefined();
  });
});

describe("ids", () => {
  const codec = new IdCodec(42);

  it("round-trip the address they encode, look like v4 UUIDs and are unique", () => {
    const seen = new Set<string>();
    for (const address of [
      { kind: "user", user: 0, connection: 0, item: 0 },
      { kind: "user", user: 16_777_215, connection: 0, item: 0 },
      { kind: "connection", user: 99_999, connection: 3, item: 0 },
      { kind: "job", user: 12, connection: 255, item: 268_435_455 },
      { kind: "account", user: 12, connection: 1, item: 2 },
    ] as const) {
      const id = codec.encode(address);
      expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
      expect(codec.decode(id)).toEqual(address);
      seen.add(id);
    }
    expect(seen.size).toBe(5);
  });

  it("do not decode under another seed, when altered, or when invented", () => {
    const id = codec.encode({ kind: "job", user: 5, connection: 1, item: 2 });
    expect(new IdCodec(43).decode(id)).toBeUndefined();
    const altered = `${id.slice(0, -1)}${id.endsWith("0") ? "1" : "0"}`;
    expect(codec.decode(altered)).toBeUndefined();
    expect(codec.decode("00000000-0000-4000-8000-000000000000")).toBeUndefined();
    expect(codec.decode("not-an-id")).toBeUndefined();
  });

  it("refuse addresses outside their bit budget", () => {
    expect(() => codec.encode({ kind: "user", user: 2 ** 24, connection: 0, item: 0 })).toThrow(RangeError);
  });
});
