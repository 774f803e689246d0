import { describe, expect, it } from "vitest";

import {
  CREDENTIALS_REMEDIATION_CODE,
  EXTRA_FAILURE_CODES,
  FALLBACK_REMEDIATION,
  FALLBACK_REMEDIATION_CODE,
  KNOWN_FAILURE_CODES,
  type Remediation,
  remediationCatalogue,
  remediationFor,
  averageJobDurationMs,
  isJobStuck,
  remediationWithConnector,
} from "./job-codes";
import { JOB_RESULT_CODES } from "./schemas";

/** Read straight from the spec's list, so a code added there without an entry fails below. */
const SPEC_FAILURE_CODES: readonly string[] = JOB_RESULT_CODES.filter((code) => code !== "success");
const ALL_CODES: readonly string[] = [...SPEC_FAILURE_CODES, ...EXTRA_FAILURE_CODES];

/** Bank- or Basiq-side outages: wait, never ask for credentials, never spend the refresh budget. */
const BANK_SIDE_TRANSIENT = [
  "system-unavailable",
  "maintenance",
  "institution-not-available",
  "connector-error",
];
const FILE_CODES = [
  "missing-required-field",
  "missing-required-field-value",
  "invalid-field-value",
  "invalid-csv-row",
  "row-count-exceeded",
  "account-data-differs",
  "empty-file",
  "bank-statement-invalid",
  "bank-statement-new-product",
  "bank-statement-parsing-error",
  "bank-statement-not-supported",
  "txn-after-last-updated-date",
];

/**
 * Codes that deliberately share one `tellTheUser` text, each group listed in full. Empty: every code has its
 * own sentence. Add a group here (and the test below asserts it) rather than copying text between entries.
 */
const SHARED_TELL_THE_USER: readonly (readonly string[])[] = [];

const ACTORS = ["end-user", "bank", "basiq", "partner", "nobody"];
const SEVERITIES = ["user-action", "transient", "data-problem", "configuration", "unknown"];
const CREDENTIALS_ASK =
  /credential|password|login|log in|sign in|username|reconnect|connect your bank again/i;
const JARGON =
  /basiq|connector|\bjobs?\b|consent ui|\bapi\b|\bcdr\b|\bmfa\b|\bcsv\b|\b[a-z]+-[a-z]+-[a-z]+\b/i;

function codesWithoutEntry(codes: readonly string[]): string[] {
  return codes.filter((code) => remediationFor({ code }) === FALLBACK_REMEDIATION);
}

describe("remediation catalogue", () => {
  it.each(ALL_CODES)("%s has its own complete entry", (code) => {
    const entry = remediationFor({ code });
    expect(entry).not.toBe(FALLBACK_REMEDIATION);
    expect(entry).toBe(remediationCatalogue[code as keyof typeof remediationCatalogue]);
    expect(entry.code).toBe(code);
    for (const text of [entry.meaning, entry.tellTheUser, entry.supportAction]) {
      expect(text.trim().length).toBeGreaterThan(30);
    }
    expect(ACTORS).toContain(entry.whoActs);
    expect(SEVERITIES).toContain(entry.severity);
    expect(typeof entry.refreshWorthIt).toBe("boolean");
    if (entry.retryAfter !== undefined) expect(entry.retryAfter.trim()).not.toBe("");
  });

  it("covers exactly the spec's failure codes plus the extra codes", () => {
    expect([...KNOWN_FAILURE_CODES].sort()).toEqual([...ALL_CODES].sort());
    expect(Object.keys(remediationCatalogue).sort()).toEqual([...ALL_CODES].sort());
    expect(KNOWN_FAILURE_CODES).not.toContain("success");
    expect(new Set(KNOWN_FAILURE_CODES).size).toBe(KNOWN_FAILURE_CODES.length);
  });

  it("fails when a code is added to JOB_RESULT_CODES without an entry", () => {
    expect(codesWithoutEntry(SPEC_FAILURE_CODES)).toEqual([]);
    // What the walk above would see if the spec gained a code tomorrow:
    expect(codesWithoutEntry([...SPEC_FAILURE_CODES, "brand-new-code"])).toEqual(["brand-new-code"]);
  });

  it("gives every code its own sentence for the user, except the declared groups", () => {
    const byText = new Map<string, string[]>();
    for (const code of KNOWN_FAILURE_CODES) {
      const text = remediationCatalogue[code].tellTheUser;
      byText.set(text, [...(byText.get(text) ?? []), code]);
    }
    const shared = [...byText.values()].filter((codes) => codes.length > 1).map((codes) => [...codes].sort());
    expect(shared).toEqual(SHARED_TELL_THE_USER.map((group) => [...group].sort()));
    // Meanings are distinct too: two codes that mean the same thing should be one entry.
    const meanings = KNOWN_FAILURE_CODES.map((code) => remediationCatalogue[code].meaning);
    expect(new Set(meanings).size).toBe(meanings.length);
  });

  it("speaks to the user without jargon or codes", () => {
    for (const entry of [...Object.values(remediationCatalogue), FALLBACK_REMEDIATION]) {
      expect(entry.tellTheUser, entry.code).not.toMatch(JARGON);
    }
  });

  it.each(BANK_SIDE_TRANSIENT)("%s: wait; never credentials, never an ad-hoc refresh", (code) => {
    const entry = remediationFor({ code });
    expect(entry.severity).toBe("transient");
    expect(entry.refreshWorthIt).toBe(false);
    expect(entry.retryAfter).toBeTruthy();
    expect(entry.whoActs).not.toBe("end-user");
    expect(entry.tellTheUser).not.toMatch(CREDENTIALS_ASK);
    expect(entry.tellTheUser).toMatch(/don't need to do anything/);
    expect(entry.supportAction).toMatch(/do not ask the user for new credentials/i);
  });

  it("never asks for credentials on any transient code, and gives a wait time where waiting is the answer", () => {
    for (const entry of Object.values(remediationCatalogue)) {
      if (entry.severity === "transient") expect(entry.tellTheUser, entry.code).not.toMatch(CREDENTIALS_ASK);
      if (!entry.refreshWorthIt && (entry.whoActs === "nobody" || entry.whoActs === "bank")) {
        expect(entry.retryAfter, entry.code).toBeTruthy();
      }
      if (entry.whoActs === "end-user") expect(entry.refreshWorthIt, entry.code).toBe(false);
    }
  });

  it.each(FILE_CODES)("%s is about the uploaded file: no refresh, no credentials", (code) => {
    const entry = remediationFor({ code });
    expect(entry.refreshWorthIt).toBe(false);
    expect(entry.meaning).toMatch(/file|statement/i);
    expect(entry.tellTheUser).toMatch(/file|statement/i);
    expect(entry.tellTheUser).not.toMatch(/password|credential/i);
  });

  it("sends the user to internet banking, then refreshes, for account-not-accessible-requires-user-action", () => {
    const entry = remediationFor({
      code: "account-not-accessible-requires-user-action",
      stepTitle: "retrieve-accounts",
    });
    expect(entry.whoActs).toBe("end-user");
    expect(entry.tellTheUser).toMatch(/internet banking/);
    expect(entry.tellTheUser).toMatch(/terms and conditions/);
    expect(entry.supportAction).toMatch(/refresh the connection once/);
  });

  it("pins who acts and whether a refresh is worth it, code by code", () => {
    const table = Object.fromEntries(
      KNOWN_FAILURE_CODES.map((code) => {
        const { whoActs, refreshWorthIt } = remediationCatalogue[code];
        return [code, `${whoActs}/${refreshWorthIt}`];
      }),
    );
    expect(table).toEqual({
      "user-action-required": "end-user/false",
      "system-unavailable": "nobody/false",
      maintenance: "nobody/false",
      "connector-error": "basiq/false",
      "institution-not-found": "end-user/false",
      "institution-not-available": "bank/false",
      "institution-disabled": "end-user/false",
      "missing-required-field": "end-user/false",
      "missing-required-field-value": "end-user/false",
      "invalid-field-value": "end-user/false",
      "invalid-csv-row": "end-user/false",
      "row-count-exceeded": "end-user/false",
      "account-data-differs": "end-user/false",
      "empty-file": "end-user/false",
      "bank-statement-invalid": "end-user/false",
      "bank-statement-new-product": "basiq/false",
      "bank-statement-parsing-error": "basiq/false",
      "bank-statement-not-supported": "end-user/false",
      "txn-after-last-updated-date": "end-user/false",
      "invalid-connection": "end-user/false",
      "unknown-error": "basiq/true",
      "job-timed-out": "nobody/true",
      "account-not-accessible-requires-user-action": "end-user/false",
      "authorization-failed": "end-user/false",
      "invalid-credentials": "end-user/false",
      "service-unavailable": "nobody/true",
    });
  });

  it("is frozen (entries are shared across requests)", () => {
    expect(Object.isFrozen(remediationCatalogue)).toBe(true);
    expect(Object.values(remediationCatalogue).every((entry) => Object.isFrozen(entry))).toBe(true);
    expect(Object.isFrozen(FALLBACK_REMEDIATION)).toBe(true);
  });
});

describe("remediationFor", () => {
  const credentials: Readonly<Remediation> = remediationCatalogue[CREDENTIALS_REMEDIATION_CODE];

  it("resolves invalid credentials on verify-credentials to the credentials entry", () => {
    const onVerify = (code: string | undefined, title?: string, detail?: string) =>
      remediationFor({ code, stepTitle: "verify-credentials", title, detail });
    expect(onVerify("user-action-required", "Invalid credentials")).toBe(credentials);
    expect(onVerify("user-action-required", "Cannot login to target institution, check credentials.")).toBe(
      credentials,
    );
    expect(onVerify("user-action-required")).toBe(credentials); // the code alone, on that step, is enough
    expect(onVerify("invalid-credentials", "Cannot login to target institution, check credentials.")).toBe(
      credentials,
    );
    // An unlisted code whose title or detail talks about credentials:
    expect(onVerify("login-failed", "Invalid credentials")).toBe(credentials);
    expect(onVerify(undefined, "Incorrect password")).toBe(credentials);
    expect(onVerify("x", "Failed", "Cannot login using supplied credentials.")).toBe(credentials);
    expect(credentials.whoActs).toBe("end-user");
    expect(credentials.refreshWorthIt).toBe(false);
    expect(credentials.tellTheUser).toMatch(/reconnect your bank/);
    expect(credentials.supportAction).toMatch(/Consent UI/);
  });

  it("keeps user-action-required generic off verify-credentials", () => {
    const entry = remediationFor({
      code: "user-action-required",
      stepTitle: "retrieve-accounts",
      title: "Action required",
    });
    expect(entry).toBe(remediationCatalogue["user-action-required"]);
    expect(entry).not.toBe(credentials);
    expect(remediationFor({ code: "user-action-required" })).toBe(
      remediationCatalogue["user-action-required"],
    );
  });

  it("never turns an outage, a file problem or another specific code into a credentials problem", () => {
    const title = "Invalid credentials";
    for (const code of [
      ...BANK_SIDE_TRANSIENT,
      ...FILE_CODES,
      "authorization-failed",
      "invalid-connection",
    ]) {
      expect(remediationFor({ code, stepTitle: "verify-credentials", title }), code).toBe(
        remediationCatalogue[code as keyof typeof remediationCatalogue],
      );
    }
  });

  it("resolves unknown, missing and prototype-named codes to the fallback", () => {
    for (const code of [
      "something-basiq-added-later",
      "",
      "   ",
      undefined,
      null,
      "constructor",
      "__proto__",
      "toString",
    ]) {
      expect(remediationFor({ code, stepTitle: "retrieve-transactions", title: "Oops" }), String(code)).toBe(
        FALLBACK_REMEDIATION,
      );
    }
    expect(remediationFor({})).toBe(FALLBACK_REMEDIATION);
    expect(FALLBACK_REMEDIATION.code).toBe(FALLBACK_REMEDIATION_CODE);
    expect(ALL_CODES).not.toContain(FALLBACK_REMEDIATION_CODE);
    expect(FALLBACK_REMEDIATION.severity).toBe("unknown");
    expect(FALLBACK_REMEDIATION.refreshWorthIt).toBe(false);
    expect(FALLBACK_REMEDIATION.supportAction).toMatch(/escalate to Basiq/i);
  });

  it("tolerates case and whitespace around a known code", () => {
    expect(remediationFor({ code: " Maintenance " })).toBe(remediationCatalogue.maintenance);
    expect(remediationFor({ code: "JOB-TIMED-OUT" })).toBe(remediationCatalogue["job-timed-out"]);
  });
});

describe("service-unavailable (Basiq's jianYang persona)", () => {
  const entry = () => remediationFor({ code: "service-unavailable", stepTitle: "verify-credentials" });
  const hooli = (status: string) => ({ id: "AU00000", method: "web", name: "Hooli", status });

  it("has its own entry with both playbooks from handling-jobs", () => {
    const e = entry();
    expect(e.code).toBe("service-unavailable");
    expect(e.meaning).toMatch(/every 2 hours/);
    expect(e.meaning).toMatch(/7 days/);
    expect(e.supportAction).toMatch(/major outage, wait until the outage is lifted/);
    expect(e.supportAction).toMatch(/wait 10 minutes and refresh once/);
    expect(e.supportAction).toMatch(/report the connection id to Basiq/);
  });

  it("a major outage of its connector: wait until the outage is lifted, naming the connector, no refresh", () => {
    const advice = remediationWithConnector({ code: "service-unavailable", stepTitle: "verify-credentials" }, hooli("major-outage"));
    expect(advice.supportAction).toMatch(/^The connector Hooli \(AU00000, web\) is in a major outage: wait until the outage is lifted/);
    expect(advice.supportAction).not.toMatch(/10 minutes/);
    expect(advice.refreshWorthIt).toBe(false);
    expect(advice.adjustedFor).toEqual({ connector: "Hooli (AU00000, web)", status: "major-outage" });
  });

  it.each(["operational", "degraded-performance", "partial-outage", "under-maintenance"])(
    "connector %s: wait 10 minutes and retry once",
    (status) => {
      const advice = remediationWithConnector({ code: "service-unavailable" }, hooli(status));
      expect(advice.supportAction).toMatch(/wait 10 minutes and refresh once/);
      expect(advice.supportAction).not.toMatch(/until the outage is lifted/);
      expect(advice.refreshWorthIt).toBe(true);
    },
  );
});

describe("connector-aware remediation", () => {
  const cba = (status: string) => ({ id: "AU00101", method: "web", name: "CommBank", status });

  it.each(["major-outage", "partial-outage"])("%s turns 'ask the user' into 'wait', naming the connector", (status) => {
    const base = remediationFor({ code: "user-action-required", stepTitle: "retrieve-accounts" });
    expect(base.whoActs).toBe("end-user");
    const advice = remediationWithConnector({ code: "user-action-required", stepTitle: "retrieve-accounts" }, cba(status));
    expect(advice.whoActs).toBe("bank");
    expect(advice.supportAction).toMatch(/^The connector CommBank \(AU00101, web\) is in a .*outage: wait until the outage is lifted/);
    expect(advice.supportAction).toMatch(/do not ask the user for new credentials/);
    expect(advice.tellTheUser).not.toMatch(CREDENTIALS_ASK);
    expect(advice.tellTheUser).not.toMatch(JARGON);
    expect(advice.refreshWorthIt).toBe(false);
  });

  it("leaves advice unchanged when the connector is fine, unknown, or the code is about a file", () => {
    const step = { code: "invalid-connection", stepTitle: "verify-credentials" };
    expect(remediationWithConnector(step, cba("operational"))).toBe(remediationFor(step));
    expect(remediationWithConnector(step, cba("under-maintenance"))).toBe(remediationFor(step));
    expect(remediationWithConnector(step, null)).toBe(remediationFor(step));
    const file = { code: "empty-file", stepTitle: "retrieve-statements" };
    expect(remediationWithConnector(file, cba("major-outage"))).toBe(remediationFor(file));
  });
});

describe("stuck jobs", () => {
  it("averages: the total, else the sum of the steps, else unknown", () => {
    expect(averageJobDurationMs({ total: 9000, verifyCredentials: 1 })).toBe(9000);
    expect(averageJobDurationMs({ verifyCredentials: 1000, retrieveAccounts: 2000, retrieveTransactions: 3000 })).toBe(6000);
    expect(averageJobDurationMs({})).toBeNull();
    expect(averageJobDurationMs(null)).toBeNull();
  });

  it("a running job older than 3 × the average is stuck; a finished one never is", () => {
    const now = Date.parse("2026-01-01T00:10:00Z");
    const created = "2026-01-01T00:00:00Z"; // 600 s ago
    expect(isJobStuck({ running: true, created }, 199_000, now)).toBe(true);
    expect(isJobStuck({ running: true, created }, 200_000, now)).toBe(false);
    expect(isJobStuck({ running: false, created }, 1_000, now)).toBe(false);
    expect(isJobStuck({ running: true, created }, null, now)).toBe(false);
    expect(isJobStuck({ running: true, created: null }, 1_000, now)).toBe(false);
  });
});
