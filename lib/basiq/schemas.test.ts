import { describe, expect, it } from "vitest";

import {
  connectionListSchema,
  connectionSchema,
  connectorListSchema,
  connectorSchema,
  eventSchema,
  jobDetailSchema,
  jobListSchema,
  skippedItems,
  tokenResponseSchema,
  userSchema,
} from "./schemas";
import { wire } from "./testing";

describe("Basiq wire schemas", () => {
  it("accept the spec-shaped fixtures and keep unknown fields", () => {
    expect(userSchema.parse({ ...wire.user(), extra: true })).toMatchObject({ id: "u-1", extra: true });
    expect(connectionSchema.parse(wire.connection())).toMatchObject({ status: "active" });
    expect(connectorSchema.parse(wire.connector())).toMatchObject({ id: "AU00000" });
    expect(eventSchema.parse(wire.event())).toMatchObject({ entity: "user", eventType: "created" });
    expect(jobListSchema.parse(wire.jobPage(["j-1"]))).toMatchObject({ size: 1 });
  });

  it("require ids and the fields the console acts on", () => {
    const { id: _id, ...noId } = wire.user();
    expect(userSchema.safeParse(noId).success).toBe(false);
    expect(userSchema.safeParse({ ...wire.user(), id: "../etc" }).success).toBe(false);
    expect(tokenResponseSchema.safeParse({ access_token: "t", token_type: "Bearer" }).success).toBe(false);
    const { institution: _institution, ...noInstitution } = wire.connection();
    expect(connectionSchema.safeParse(noInstitution).success).toBe(false);
    expect(connectorSchema.safeParse({ ...wire.connector(), method: "fax" }).success).toBe(false);
    expect(connectorSchema.safeParse({ ...wire.connector(), id: "AU0" }).success).toBe(false);
  });

  it("read users with only an e-mail or only a mobile (Basiq requires one of them, not both)", () => {
    const { mobile: _mobile, ...emailOnly } = wire.user();
    const { email: _email, ...mobileOnly } = wire.user();
    expect(userSchema.parse(emailOnly)).toMatchObject({ id: "u-1", email: "max@hooli.com" });
    expect(userSchema.parse(mobileOnly).email).toBeUndefined();
    expect(userSchema.parse({ id: "u-2" })).toMatchObject({ id: "u-2" });
  });

  it("keep enum values they do not know, as sent (init, deleted, revoked, new connector types)", () => {
    for (const status of ["init", "deleted", "revoked", "suspended"]) {
      expect(connectionSchema.parse({ ...wire.connection(), status }).status).toBe(status);
    }
    const connector = {
      ...wire.connector(),
      status: "half-asleep",
      institution: { ...wire.connector().institution, type: "Neobank", tier: "5" },
      authorization: { type: "passkey" },
    };
    expect(connectorSchema.parse(connector)).toMatchObject({
      status: "half-asleep",
      institution: { type: "Neobank", tier: "5" },
      authorization: { type: "passkey" },
    });
  });

  it("read lists item by item: one odd item is left out and reported, never the whole page", () => {
    const connections = connectionListSchema.parse({
      type: "list",
      data: [
        { ...wire.connectionSummary("c-1"), status: "revoked" },
        { ...wire.connectionSummary("c-2"), id: "" },
        { ...wire.connectionSummary("c-3"), status: "init" },
      ],
    });
    expect(connections.data?.map((c) => c.id)).toEqual(["c-1", "c-3"]);
    expect(skippedItems(connections.data)).toEqual([{ index: 1, path: "id", issue: expect.any(String) }]);

    const job = wire.job();
    const odd = {
      ...job,
      id: "j-odd",
      steps: [
        { title: "retrieve-meta", status: "success" }, // unknown title, no result at all
        { title: "verify-credentials", status: "exploded", result: null },
      ],
    };
    const { steps: _steps, ...noSteps } = wire.job("j-none");
    const page = jobListSchema.parse({ ...wire.jobPage(["j-1"]), data: [wire.job("j-1"), odd, noSteps] });
    expect(page.data.map((j) => j.id)).toEqual(["j-1", "j-odd"]);
    expect(page.data[1]?.steps.map((s) => [s.title, s.status])).toEqual([
      ["retrieve-meta", "success"],
      ["verify-credentials", "exploded"],
    ]);
    expect(skippedItems(page.data)).toHaveLength(1);
    expect(skippedItems(jobListSchema.parse(wire.jobPage(["j-1"])).data)).toEqual([]);

    const connectors = connectorListSchema.parse({
      type: "list",
      totalCount: 2,
      data: [wire.connector("AU00000"), { ...wire.connector("AU00001"), method: "fax" }],
      links: { self: "/connectors" },
    });
    expect(connectors.data.map((c) => c.id)).toEqual(["AU00000"]);
  });

  it("parse the spec's own GET /jobs/{jobId} examples (result null while pending)", () => {
    const inProgress = {
      type: "job",
      id: "248b2883-2a6b-4e8a-9591-76565d23ba5a",
      created: "2024-09-25T04:15:59Z",
      updated: "2024-09-25T04:15:59Z",
      jobType: "connection",
      steps: [
        { title: "verify-credentials", status: "in-progress", result: null },
        { title: "retrieve-accounts", status: "pending", result: null },
      ],
      links: { self: "https://au-api.basiq.io/jobs/248b2883-2a6b-4e8a-9591-76565d23ba5a" },
    };
    expect(jobDetailSchema.parse(inProgress).steps).toHaveLength(2);
  });
});
