import { describe, expect, it } from "vitest";

import {
  connectionSchema,
  connectorSchema,
  eventSchema,
  jobDetailSchema,
  jobListSchema,
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

  it("require what the spec requires", () => {
    const { email: _email, ...noEmail } = wire.user();
    expect(userSchema.safeParse(noEmail).success).toBe(false);
    expect(tokenResponseSchema.safeParse({ access_token: "t", token_type: "Bearer" }).success).toBe(false);
    const { steps: _steps, ...noSteps } = wire.job();
    expect(jobListSchema.safeParse({ ...wire.jobPage([]), data: [noSteps] }).success).toBe(false);
  });

  it("enforce the spec's enums", () => {
    expect(connectionSchema.safeParse({ ...wire.connection(), status: "broken" }).success).toBe(false);
    expect(connectorSchema.safeParse({ ...wire.connector(), method: "fax" }).success).toBe(false);
    expect(connectorSchema.safeParse({ ...wire.connector(), id: "AU0" }).success).toBe(false);
    const job = wire.job();
    const badStep = { ...job, steps: [{ title: "verify-credentials", status: "exploded", result: null }] };
    expect(jobListSchema.safeParse({ ...wire.jobPage([]), data: [badStep] }).success).toBe(false);
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
