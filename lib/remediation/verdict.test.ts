// The one verdict per failure: judged by the connector's status when the job failed, not by its status now.
import { describe, expect, it } from "vitest";

import { remediationCatalogue } from "@/lib/basiq/job-codes";

import { statusAt, verdictFor } from "./verdict";

const nab = { id: "AU00201", method: "web", name: "NAB" };
const code = "account-not-accessible-requires-user-action";
const step = { code, stepTitle: "retrieve-accounts" };
const history = [
  { status: "operational", observedAt: "2026-11-01T00:00:00.000Z" },
  { status: "major-outage", observedAt: "2026-11-26T08:00:00.000Z" },
  { status: "operational", observedAt: "2026-11-27T08:00:00.000Z" },
];

describe("statusAt", () => {
  it("is the last observation at or before the time, whatever the order of the history", () => {
    expect(statusAt([...history].reverse(), "2026-11-26T09:00:00.000Z")?.status).toBe("major-outage");
    expect(statusAt(history, "2026-11-26T08:00:00.000Z")?.status).toBe("major-outage");
    expect(statusAt(history, "2026-11-30T00:00:00.000Z")?.status).toBe("operational");
  });
  it("is null before the first sighting, or without a time", () => {
    expect(statusAt(history, "2026-10-01T00:00:00.000Z")).toBeNull();
    expect(statusAt(history, null)).toBeNull();
    expect(statusAt(history, "not a date")).toBeNull();
  });
});

describe("verdictFor", () => {
  // The bug of issue 18 item 1: a failure during an outage 5 days ago, connector operational again today. The old
  // page judged it by today's status (and said both "end user acts" and "likely bank-side").
  it("a failure during a past outage: the bank's side, says why, and that it is operational now", () => {
    const v = verdictFor({ step, failedAt: "2026-11-26T10:00:00.000Z", connector: nab, history, statusNow: "operational" });
    expect(v.statusAtFailure).toBe("major-outage");
    expect(v.whoActs).toBe("bank");
    expect(v.refreshWorthIt).toBe(false);
    expect(v.reason).toBe("NAB was in a major outage when this failed: the failure is on the bank's side, not the user's. It is operational now.");
    expect(v.tellTheUser).not.toBe(remediationCatalogue[code].tellTheUser);
  });

  it("a failure while operational, with an outage today: the code decides (the user acts), not today's outage", () => {
    const v = verdictFor({ step, failedAt: "2026-11-20T10:00:00.000Z", connector: nab, history, statusNow: "major-outage" });
    expect(v.statusAtFailure).toBe("operational");
    expect(v.whoActs).toBe("end-user");
    expect(v.tellTheUser).toBe(remediationCatalogue[code].tellTheUser);
    expect(v.reason).toBe("NAB was operational when this failed, so the failure code decides. It is in a major outage now.");
    expect(v.adjustedFor).toBeUndefined();
  });

  it("a failure before the console first saw the connector: the code alone, and it says so", () => {
    const v = verdictFor({ step, failedAt: "2026-10-01T00:00:00.000Z", connector: nab, history });
    expect(v.statusAtFailure).toBeNull();
    expect(v.whoActs).toBe("end-user");
    expect(v.reason).toMatch(/no record of NAB's status when this failed/);
  });

  it("an unknown connector: the code alone", () => {
    const v = verdictFor({ step, failedAt: "2026-11-26T10:00:00.000Z", connector: null, history });
    expect(v.whoActs).toBe("end-user");
    expect(v.reason).toMatch(/connector is not known/);
  });

  it("codes an outage does not explain keep their advice, and the reason says so", () => {
    const v = verdictFor({ step: { code: "empty-file" }, failedAt: "2026-11-26T10:00:00.000Z", connector: nab, history });
    expect(v.code).toBe("empty-file");
    expect(v.adjustedFor).toBeUndefined();
    expect(v.reason).toMatch(/in a major outage when this failed, but this code is not explained by an outage/);
  });

  it("service-unavailable follows Basiq's playbook for the status at the time", () => {
    const during = verdictFor({ step: { code: "service-unavailable" }, failedAt: "2026-11-26T10:00:00.000Z", connector: nab, history });
    expect(during.retryAfter).toBe("until the outage is lifted");
    const after = verdictFor({ step: { code: "service-unavailable" }, failedAt: "2026-11-28T10:00:00.000Z", connector: nab, history });
    expect(after.retryAfter).toBe("10 minutes");
    expect(after.reason).toBe("NAB was operational (not in a major outage) when this failed.");
  });
});
