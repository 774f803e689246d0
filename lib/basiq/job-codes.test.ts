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
