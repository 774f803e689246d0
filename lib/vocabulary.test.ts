import { describe, expect, it } from "vitest";

import {
  connectionStatusFilters,
  parseConnectorsSearch,
  parseErrorLogSearch,
  parseUsersSearch,
} from "@/lib/search-params";

import {
  byOrder,
  CONNECTION_STATUS,
  CONNECTION_STATUSES,
  CONNECTOR_STATUS,
  JOB_STEP_TITLE,
  shown,
  term,
} from "./vocabulary";

describe("Basiq vocabulary", () => {
  it("knows the spec's connection statuses and the ones Basiq documents elsewhere", () => {
    for (const status of ["active", "pending", "invalid", "pre-init", "init", "deleted", "revoked"]) {
      expect(term(CONNECTION_STATUS, status)).toMatchObject({ value: status, known: true });
    }
  });

  it("shows an unknown value raw, marked, neutral and last", () => {
    expect(term(CONNECTION_STATUS, "suspended")).toEqual({
      value: "suspended",
      known: false,
      label: "suspended (not known to this console)",
      tone: "neutral",
      order: CONNECTION_STATUSES.length,
    });
    expect(shown(JOB_STEP_TITLE, "retrieve-meta")).toBe("retrieve-meta (not known to this console)");
    expect(shown(JOB_STEP_TITLE, "verify-credentials")).toBe("verify-credentials");
    // Prototype keys are not vocabulary.
    expect(term(CONNECTOR_STATUS, "constructor").known).toBe(false);
  });

  it("orders needs-attention first, unknown last", () => {
    expect(
      ["operational", "brand-new", "major-outage", "partial-outage"].sort(byOrder(CONNECTOR_STATUS)),
    ).toEqual(["major-outage", "partial-outage", "operational", "brand-new"]);
  });

  it("feeds the URL parsers (one list, not a copy)", () => {
    expect(connectionStatusFilters).toBe(CONNECTION_STATUSES);
    expect(parseUsersSearch({ status: "revoked" }).status).toBe("revoked");
    expect(parseUsersSearch({ status: "exploded" }).status).toBeUndefined();
    expect(parseErrorLogSearch({ step: "retrieve-statements" }).step).toBe("retrieve-statements");
    expect(
      parseConnectorsSearch({ status: "under-maintenance", method: "openbanking", stage: "beta" }),
    ).toMatchObject({
      status: "under-maintenance",
      method: "openbanking",
      stage: "beta",
    });
  });
});
