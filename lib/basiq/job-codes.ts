import "server-only";

import { JOB_RESULT_CODES, type KnownJobResultCode } from "./schemas";

// What each failed-job result code means and what to do about it: the text support reads beside a failed step
// and the sentence it can send to the end user. Sources: core.json `JobsResult.code` (the enum, no per-code
// descriptions), the spec's own GET /jobs/{jobId} example (`authorization-failed`), and Basiq's "Handling jobs"
// guide (invalid credentials on verify-credentials, `account-not-accessible-requires-user-action`; bank- and
// Basiq-side outages: wait, never ask for credentials). Server-only: pages resolve an entry here and pass it
// down as props.
//
// Refresh budget: open-banking connections allow 20 refreshes a day, ad-hoc refreshes load the bank and, with
// wrong credentials, can lock the user out of internet banking. So `refreshWorthIt` is true only where pressing
// Refresh now, with nothing else changed, has a fair chance of working.

/** Who has to do something next. `nobody` means: wait, the scheduled refresh picks it up. */
export type RemediationActor = "end-user" | "bank" | "basiq" | "partner" | "nobody";

export type RemediationSeverity = "user-action" | "transient" | "data-problem" | "configuration" | "unknown";

export interface Remediation {
  /** The result code this entry is for (a sentinel for the fallback, see `FALLBACK_REMEDIATION_CODE`). */
  code: string;
  /** Plain words for support: what happened. */
  meaning: string;
  whoActs: RemediationActor;
  /** The exact sentence(s) support can say or send to the end user: no jargon, no codes. */
  tellTheUser: string;
  /** What support does. */
  supportAction: string;
  /** Whether an ad-hoc refresh is worth trying now, before anyone has changed anything. */
  refreshWorthIt: boolean;
  /** How long to wait, when waiting is the answer. */
  retryAfter?: string;
  severity: RemediationSeverity;
}

/**
 * Codes the catalogue covers beyond the spec's enum: Basiq's handling-jobs guide names the first; the spec's
 * own GET /jobs/{jobId} example returns the second; the third is the credentials case on verify-credentials
 * (Basiq's 400 error code of the same name; our sandbox emits it as a job code too); the fourth is what Basiq's
 * `jianYang` test persona returns, with its two playbooks in the handling-jobs guide.
 */
export const EXTRA_FAILURE_CODES = [
  "account-not-accessible-requires-user-action",
  "authorization-failed",
  "invalid-credentials",
  "service-unavailable",
] as const;

/** The entry `remediationFor` picks for invalid credentials on verify-credentials. */
export const CREDENTIALS_REMEDIATION_CODE =
  "invalid-credentials" satisfies (typeof EXTRA_FAILURE_CODES)[number];

export type SpecFailureCode = Exclude<KnownJobResultCode, "success">;
export type FailureCode = SpecFailureCode | (typeof EXTRA_FAILURE_CODES)[number];

const BASIQ_BLOCK = "the copy-for-Basiq-support block (job id, step, code, title, detail, time)";
const ESCALATE = `escalate to Basiq with ${BASIQ_BLOCK}`;
const ESCALATE_NOW = `Escalate to Basiq with ${BASIQ_BLOCK}`;
const NO_CREDENTIALS = "do not ask the user for new credentials or to reconnect";

// `satisfies` makes this exhaustive both ways: a code added to JOB_RESULT_CODES without an entry, or an entry
// for a code that does not exist, fails `tsc` (and the test walks JOB_RESULT_CODES at run time as well).
const entries = {
  // --- The end user has to act ----------------------------------------------------------------------------
  "user-action-required": {
    meaning:
      "The bank stopped the data collection until the user does something in their internet banking " +
      "(for example a security check, unlocking their access or acknowledging a message). " +
      "On the verify-credentials step this is the login failing: see the invalid-credentials entry.",
    whoActs: "end-user",
    tellTheUser:
      "Your bank needs you to do something before we can update your accounts. Please log in to your internet " +
      "banking in a web browser, complete whatever it asks of you, then let us know so we can try again.",
    supportAction:
      "Read the step's title and detail for the specific action and pass it on to the user; refresh once " +
      "after the user confirms it is done. Do not refresh before that.",
    refreshWorthIt: false,
    severity: "user-action",
  },
  "account-not-accessible-requires-user-action": {
    meaning:
      "The bank is showing a pop-up or new terms and conditions in internet banking (for example with only " +
      "'Agree' or 'Decline'), which Basiq cannot answer for the user, so the accounts could not be reached.",
    whoActs: "end-user",
    tellTheUser:
      "Your bank is showing a message, such as new terms and conditions, that only you can answer. Please log " +
      "in to your internet banking in a web browser, open your accounts and transactions, accept or respond to " +
      "any pop-up or notice, then let us know and we will update your accounts.",
    supportAction:
      "Send the user the message; once they confirm they have cleared the pop-up, refresh the connection " +
      "once. If it fails again with the same code, ask them to check again for another notice.",
    refreshWorthIt: false,
    severity: "user-action",
  },
  "invalid-credentials": {
    meaning:
      "The bank did not accept the login details saved for this connection (usually the user changed their " +
      "internet banking password), or the login needs the user first (locked access, an unsupported " +
      "security prompt).",
    whoActs: "end-user",
    tellTheUser:
      "We couldn't sign in to your bank with the details we have for you. This usually happens after a " +
      "password change, or when your bank needs you to do something first, such as unlock your access. Please " +
      "log in to your internet banking to check, then reconnect your bank in our app with your current details.",
    supportAction:
      "Ask the user to reconnect through the Consent UI (connections can only be updated there). Do not " +
      "refresh: repeated logins with the old details can lock the user out of internet banking.",
    refreshWorthIt: false,
    severity: "user-action",
  },
  "authorization-failed": {
    meaning:
      "The bank did not authorise sharing the data (e.g. detail 'access_denied'): the approval step at the bank " +
      "was declined, cancelled or not completed, so there is no valid permission to fetch data.",
    whoActs: "end-user",
    tellTheUser:
      "Your bank did not confirm that you agreed to share your account information with us. Please connect " +
      "your bank again in our app and, when your bank asks, approve the sharing of your accounts.",
    supportAction:
      "Ask the user to connect again through the Consent UI and finish the approval at their bank. A refresh " +
      "cannot fix a missing authorisation.",
    refreshWorthIt: false,
    severity: "user-action",
  },
  "invalid-connection": {
    meaning:
      "The connection is no longer valid (its status is invalid): for example the user's consent was " +
      "revoked or expired, or the login it used stopped working. It will not update again as it is.",
    whoActs: "end-user",
    tellTheUser:
      "The link between your bank and our app has stopped working, so your accounts are no longer updating. " +
      "Please reconnect your bank in our app; it only takes a few minutes.",
    supportAction:
      "Ask the user to reconnect through the Consent UI. Do not refresh the invalid connection: it cannot " +
      "succeed and uses the refresh budget.",
    refreshWorthIt: false,
    severity: "user-action",
  },

  // --- Bank- or Basiq-side: wait -------------------------------------------------------------------------
  "system-unavailable": {
    meaning:
      "The bank's (or Basiq's) systems could not be reached when the job ran. Nothing is wrong with the " +
      "user's connection or login.",
    whoActs: "nobody",
    tellTheUser:
      "Your bank's systems were temporarily unavailable when we tried to update your accounts. You don't " +
      "need to do anything; we will try again automatically.",
    supportAction: `Wait for the next scheduled refresh; ${NO_CREDENTIALS}. Check the connector status page; escalate only if it persists beyond a day.`,
    refreshWorthIt: false,
    retryAfter: "a few hours",
    severity: "transient",
  },
  maintenance: {
    meaning: "The bank (or Basiq's connector to it) was in a maintenance window when the job ran.",
    whoActs: "nobody",
    tellTheUser:
      "Your bank is doing scheduled maintenance, so we couldn't update your accounts just now. You don't " +
      "need to do anything; your accounts will update once the maintenance is finished.",
    supportAction: `Wait for the maintenance to end and the next scheduled refresh; ${NO_CREDENTIALS}.`,
    refreshWorthIt: false,
    retryAfter: "after the maintenance window, usually a few hours",
    severity: "transient",
  },
  "institution-not-available": {
    meaning:
      "The bank is currently unavailable to Basiq (an outage on the bank's side; the connector status " +
      "usually shows an outage too).",
    whoActs: "bank",
    tellTheUser:
      "Your bank is having a temporary problem that stops us from collecting your account information. You " +
      "don't need to do anything; we will update your accounts once your bank is back to normal.",
    supportAction: `Check the connector status; wait for the bank to recover; ${NO_CREDENTIALS}. Other users of the same bank are likely affected.`,
    refreshWorthIt: false,
    retryAfter: "once the connector status is operational again, usually a few hours",
    severity: "transient",
  },
  "connector-error": {
    meaning:
      "Basiq's connector for this bank failed (for example the bank changed its website or API). A fault " +
      "on Basiq's side, not the user's.",
    whoActs: "basiq",
    tellTheUser:
      "We had a technical problem collecting information from your bank. You don't need to do anything; we " +
      "are working on it and your accounts will update once it is fixed.",
    supportAction: `Wait for the connector to recover; ${NO_CREDENTIALS}. If it repeats on the next refresh or hits several users of the same bank, ${ESCALATE}.`,
    refreshWorthIt: false,
    retryAfter: "a day, or once the connector status is operational",
    severity: "transient",
  },
  "service-unavailable": {
    meaning:
      "Basiq could not reach the bank's service when the job ran. When this was a scheduled update, Basiq " +
      "retries by itself every 2 hours until it succeeds, for up to 7 days. Nothing is wrong with the user's " +
      "login.",
    whoActs: "nobody",
    tellTheUser:
      "We couldn't reach your bank's service when we tried to update your accounts. You don't need to do " +
      "anything; we will keep trying and your accounts will update once it is back.",
    supportAction:
      "If this was a scheduled update, Basiq retries every 2 hours for up to 7 days: nothing to do. Otherwise " +
      "check the connector status: during a major outage, wait until the outage is lifted; with any other " +
      `status, wait 10 minutes and refresh once. After a couple of failures, report the connection id to Basiq with ${BASIQ_BLOCK}; ${NO_CREDENTIALS}.`,
    refreshWorthIt: true,
    retryAfter: "10 minutes (or until a major outage is lifted)",
    severity: "transient",
  },
  "job-timed-out": {
    meaning:
      "The job took too long and was stopped, usually because the bank was slow to respond. Often a one-off.",
    whoActs: "nobody",
    tellTheUser:
      "Your bank took too long to respond when we tried to update your accounts. You don't need to do " +
      "anything; we will try again.",
    supportAction: `One refresh is worth trying (not while another job for this connection is running, and not if the connector status shows an outage); ${NO_CREDENTIALS}. If it times out again, stop and ${ESCALATE}.`,
    refreshWorthIt: true,
    severity: "transient",
  },
  "unknown-error": {
    meaning: "Basiq hit an error it could not classify. Usually temporary; repeated, it needs Basiq to look.",
    whoActs: "basiq",
    tellTheUser:
      "Something went wrong on our side while updating your accounts. You don't need to do anything right " +
      "now; we are looking into it and will let you know if we need anything from you.",
    supportAction: `Try one refresh; ${NO_CREDENTIALS}. If it fails again with unknown-error, ${ESCALATE}.`,
    refreshWorthIt: true,
    severity: "unknown",
  },

  // --- The bank or connector is withdrawn ----------------------------------------------------------------
  "institution-not-found": {
    meaning:
      "Basiq no longer knows the institution this connection or upload points at: the connector was " +
      "withdrawn or the institution id is wrong.",
    whoActs: "end-user",
    tellTheUser:
      "We can no longer connect to your bank the way you connected before. Please connect your bank again in " +
      "our app, choosing it from the current list; if it isn't listed, you can upload your bank statements " +
      "instead.",
    supportAction:
      "Look the institution up on the connectors page. If it exists under another id or method (e.g. open " +
      "banking), ask the user to connect again through the Consent UI; if our app sent the id (statement " +
      "upload), raise it with our engineering team. Do not refresh.",
    refreshWorthIt: false,
    severity: "configuration",
  },
  "institution-disabled": {
    meaning:
      "Basiq has disabled connections to this bank by this method (the connector was withdrawn, e.g. the " +
      "bank now only shares data through open banking). Refreshes will keep failing.",
    whoActs: "end-user",
    tellTheUser:
      "Your bank no longer supports the way your account was connected. Please connect your bank again in " +
      "our app using the option it offers now, or upload your bank statements instead.",
    supportAction:
      "Check the connectors page for another method for this bank (open banking, statement upload) and " +
      "point the user to it through the Consent UI. Do not refresh and do not ask for new credentials: the " +
      "old method will not come back.",
    refreshWorthIt: false,
    severity: "configuration",
  },

  // --- Uploaded files: CSV ---------------------------------------------------------------------------------
  "missing-required-field": {
    meaning:
      "The uploaded CSV file lacks a column Basiq requires (for example date, description or amount). The " +
      "step detail usually names it.",
    whoActs: "end-user",
    tellTheUser:
      "The file you uploaded is missing some information we need, such as the date, description or amount " +
      "of each transaction. Please download a new transaction export from your internet banking, upload it " +
      "without editing it, and we will try again.",
    supportAction:
      "Tell the user which column the step detail names. If our own app generated the file rather than the " +
      "user, it is our bug: raise it with our engineering team. No refresh: a new upload is needed.",
    refreshWorthIt: false,
    severity: "data-problem",
  },
  "missing-required-field-value": {
    meaning:
      "A required column exists in the uploaded CSV file, but one or more rows leave it empty (the step " +
      "detail usually gives the row and field).",
    whoActs: "end-user",
    tellTheUser:
      "Some transactions in the file you uploaded are missing details, such as a date or an amount. Please " +
      "download a fresh copy of the file from your internet banking and upload it without making changes.",
    supportAction:
      "Give the user the row and field from the step detail. If our app generated the file, raise it with " +
      "our engineering team. No refresh: a corrected upload is needed.",
    refreshWorthIt: false,
    severity: "data-problem",
  },
  "invalid-field-value": {
    meaning:
      "A value in the uploaded CSV file is in the wrong format (for example an amount that is not a number " +
      "or a date that cannot be read).",
    whoActs: "end-user",
    tellTheUser:
      "Some values in the file you uploaded are not in a format we can read, for example an amount with a " +
      "letter in it or a date written in an unusual way. Please upload the file exactly as your bank " +
      "provides it, without opening and re-saving it in a spreadsheet.",
    supportAction:
      "Give the user the row and value from the step detail; re-saving in a spreadsheet program is the usual " +
      "cause. If our app generated the file, raise it with our engineering team. No refresh.",
    refreshWorthIt: false,
    severity: "data-problem",
  },
  "invalid-csv-row": {
    meaning:
      "A line of the uploaded CSV file is malformed (wrong number of columns, a stray comma or quote, a " +
      "broken line), so the file cannot be read reliably.",
    whoActs: "end-user",
    tellTheUser:
      "Part of the file you uploaded is damaged or laid out differently from the rest, so we can't read it. " +
      "Please download the transaction file from your internet banking again and upload that new copy.",
    supportAction:
      "Give the user the row number from the step detail. If our app generated the file, raise it with our " +
      "engineering team. No refresh: a new upload is needed.",
    refreshWorthIt: false,
    severity: "data-problem",
  },
  "row-count-exceeded": {
    meaning: "The uploaded CSV file has more rows than Basiq accepts in one file.",
    whoActs: "end-user",
    tellTheUser:
      "The file you uploaded is too large for us to process in one go. Please split it into smaller files, " +
      "for example one per six months of transactions, and upload each of them.",
    supportAction:
      "Tell the user the limit from the step detail and suggest splitting by date range. No refresh: new, " +
      "smaller uploads are needed.",
    refreshWorthIt: false,
    severity: "data-problem",
  },
  "empty-file": {
    meaning: "The uploaded file contains no data (an empty file, or only a header row).",
    whoActs: "end-user",
    tellTheUser:
      "The file you uploaded was empty, so there was nothing for us to read. Please check that you chose the " +
      "right file and that it has transactions in it, then upload it again.",
    supportAction:
      "Ask the user to upload the right file (exports for a period with no transactions are empty too). No " +
      "refresh.",
    refreshWorthIt: false,
    severity: "data-problem",
  },

  // --- Uploaded files: statements and account data ----------------------------------------------------------
  "account-data-differs": {
    meaning:
      "The account details in the uploaded file (account number, name or holder) differ from the account " +
      "already held for this user or connection, so Basiq will not merge them.",
    whoActs: "end-user",
    tellTheUser:
      "The account details in the file you uploaded don't match the account we already have for you, for " +
      "example a different account number or name. Please check that the statement is for the right " +
      "account and upload the correct one.",
    supportAction:
      "Compare the account in the step detail with the user's existing accounts; ask for the statement of " +
      "the right account. If it is genuinely a different account, it must be uploaded as its own. No refresh.",
    refreshWorthIt: false,
    severity: "data-problem",
  },
  "txn-after-last-updated-date": {
    meaning:
      "The file contains transactions dated after the date it says the account data was last updated (its " +
      "end or as-at date), which is inconsistent: typically an edited file, or a CSV whose as-at date is " +
      "older than its newest transaction.",
    whoActs: "end-user",
    tellTheUser:
      "The file you uploaded has transactions dated after the date the statement says it was produced, so we " +
      "can't rely on it. Please download the original statement from your internet banking again and upload " +
      "it without making changes.",
    supportAction:
      "Check the dates in the step detail. If our app generated the file, its as-at/last-updated date must be " +
      "on or after the newest transaction: raise it with our engineering team. No refresh.",
    refreshWorthIt: false,
    severity: "data-problem",
  },
  "bank-statement-invalid": {
    meaning:
      "The uploaded PDF is not recognised as an official statement of the selected bank (for example a " +
      "scan or photo, an edited or password-protected file, a transaction listing, or another bank's statement).",
    whoActs: "end-user",
    tellTheUser:
      "The document you uploaded isn't one we can accept as a bank statement. Please download your official " +
      "statement as a PDF directly from your internet banking (not a scan, photo or screenshot, and not a " +
      "locked copy that needs a code to open) and upload it, making sure you picked the right bank.",
    supportAction:
      "Check the institution chosen for the upload matches the statement; ask for the original PDF from " +
      "internet banking. No refresh.",
    refreshWorthIt: false,
    severity: "data-problem",
  },
  "bank-statement-parsing-error": {
    meaning:
      "The file looks like a statement of this bank, but Basiq's reader failed on it (often a file re-saved " +
      "through 'print to PDF' or another program; otherwise a fault on Basiq's side).",
    whoActs: "basiq",
    tellTheUser:
      "We couldn't read the statement you uploaded. Please download it again directly from your internet " +
      "banking and upload it as it is, without opening and saving it in another program first. If that " +
      "doesn't work, let us know and we will look into it.",
    supportAction: `Ask for one fresh download and upload. If the fresh file fails too, ${ESCALATE}; do not send the statement itself by email.`,
    refreshWorthIt: false,
    severity: "data-problem",
  },
  "bank-statement-new-product": {
    meaning:
      "The statement is for an account type (product) whose layout Basiq's reader does not support yet. The " +
      "file is fine; support has to be added on Basiq's side.",
    whoActs: "basiq",
    tellTheUser:
      "We can't read statements for this type of account yet. In the meantime you can connect your bank " +
      "directly in our app, or upload statements for your other accounts.",
    supportAction: `${ESCALATE_NOW}, naming the bank and account type; offer the user a direct bank connection meanwhile. No refresh.`,
    refreshWorthIt: false,
    severity: "data-problem",
  },
  "bank-statement-not-supported": {
    meaning:
      "Basiq does not support statements from this bank (or in this format), so no upload of this kind will " +
      "work.",
    whoActs: "end-user",
    tellTheUser:
      "We aren't able to read statements from your bank. Please connect your bank directly in our app " +
      "instead, if it is available there.",
    supportAction:
      "Check the connectors page for a live connection method for this bank and point the user to it " +
      "through the Consent UI. Do not ask for more uploads of the same kind. No refresh.",
    refreshWorthIt: false,
    severity: "configuration",
  },
} as const satisfies Record<FailureCode, Omit<Remediation, "code">>;

/** Every failure code with a specific entry, in the spec's order and then the extra codes. */
export const KNOWN_FAILURE_CODES: readonly FailureCode[] = Object.freeze([
  ...JOB_RESULT_CODES.filter((code): code is SpecFailureCode => code !== "success"),
  ...EXTRA_FAILURE_CODES,
]);

/** The catalogue, keyed by result code. Frozen: entries are shared across requests. */
export const remediationCatalogue: Readonly<Record<FailureCode, Readonly<Remediation>>> = Object.freeze(
  Object.fromEntries(
    KNOWN_FAILURE_CODES.map((code) => [code, Object.freeze({ code, ...entries[code] })] as const),
  ) as Record<FailureCode, Readonly<Remediation>>,
);

/** Code of the fallback entry: not a Basiq code, so a page can tell "we don't know this one" apart. */
export const FALLBACK_REMEDIATION_CODE = "unrecognised-code";

/** For codes the catalogue does not know (Basiq adds codes without notice): read the detail, escalate. */
export const FALLBACK_REMEDIATION: Readonly<Remediation> = Object.freeze({
  code: FALLBACK_REMEDIATION_CODE,
  meaning:
    "Basiq returned a result code this console does not know yet. The step's title and detail are the best " +
    "guide to what happened.",
  whoActs: "basiq",
  tellTheUser:
    "Something stopped us from updating your bank information. We are looking into it and will let you know " +
    "if you need to do anything.",
  supportAction: `Read the step's title and detail; do not ask for new credentials unless they say so. ${ESCALATE_NOW}, and ask engineering to add the code to lib/basiq/job-codes.ts.`,
  refreshWorthIt: false,
  severity: "unknown",
});

export function isKnownFailureCode(code: string): code is FailureCode {
  return Object.hasOwn(remediationCatalogue, code);
}

/** What a failed step carries (all optional: a pending step's result is null, and Basiq omits fields). */
export interface FailedStep {
  code?: string | null;
  stepTitle?: string | null;
  title?: string | null;
  detail?: string | null;
}

const CREDENTIALS_WORDING = /credential|password|passcode|login details|log-?in details|username/i;

/**
 * The entry for a failed step. On verify-credentials, the credentials entry wins when the code is
 * `user-action-required` (how Basiq reports a rejected login, e.g. "Cannot login to target institution, check
 * credentials.") or when the title/detail talk about credentials and the code has no entry of its own. A code
 * with its own entry otherwise keeps it: file uploads validate on that same step, and an outage must never turn
 * into "ask the user for their password". Unknown or missing codes get the fallback.
 */
export function remediationFor({ code, stepTitle, title, detail }: FailedStep): Readonly<Remediation> {
  const normalised = (code ?? "").trim().toLowerCase();
  const known = isKnownFailureCode(normalised);
  if (stepTitle === "verify-credentials") {
    const mentionsCredentials = CREDENTIALS_WORDING.test(`${title ?? ""} ${detail ?? ""}`);
    if (normalised === "user-action-required" || (!known && mentionsCredentials)) {
      return remediationCatalogue[CREDENTIALS_REMEDIATION_CODE];
    }
  }
  return known ? remediationCatalogue[normalised] : FALLBACK_REMEDIATION;
}

// ---------------------------------------------------------------------------------------------------------
// Connector-aware advice: the same code means "wait" during an outage and "ask the user" otherwise (BASIQ.md).

/** The connector a failed job ran on, as far as the console knows its status. */
export interface ConnectorContext {
  id: string;
  method: string;
  name: string | null;
  status: string;
}

/** Statuses in which the bank side is known to be failing. `under-maintenance` connectors still work. */
export const OUTAGE_STATUSES: readonly string[] = Object.freeze(["major-outage", "partial-outage"]);

/** What the advice was changed for (shown beside it), or absent when the catalogue entry stands as is. */
export interface ConnectorAwareRemediation extends Remediation {
  adjustedFor?: { connector: string; status: string };
}

/** Codes whose cause an outage can explain: the user-action and transient ones, never file or withdrawal codes. */
const OUTAGE_SENSITIVE: readonly RemediationSeverity[] = ["user-action", "transient", "unknown"];

function connectorLabel(connector: ConnectorContext): string {
  return `${connector.name ?? connector.id} (${connector.id}, ${connector.method})`;
}

/**
 * The catalogue entry for a failed step, combined with its connector's status: during an outage, advice that
 * would ask the user to act (or to refresh) becomes "wait until the outage is lifted", naming the connector;
 * `service-unavailable` follows Basiq's playbook (major outage → wait until lifted, else wait 10 minutes and
 * retry once). Without a known connector the entry is returned unchanged.
 */
export function remediationWithConnector(
  step: FailedStep,
  connector: ConnectorContext | null,
): Readonly<ConnectorAwareRemediation> {
  const base = remediationFor(step);
  if (!connector) return base;
  const label = connectorLabel(connector);
  const status = connector.status.replace(/-/g, " ");
  const adjustedFor = { connector: label, status: connector.status };

  if (base.code === "service-unavailable") {
    if (connector.status === "major-outage") {
      return Object.freeze({
        ...base,
        supportAction: `The connector ${label} is in a major outage: wait until the outage is lifted, then refresh once; ${NO_CREDENTIALS}. After a couple of failures once it is lifted, report the connection id to Basiq with ${BASIQ_BLOCK}.`,
        refreshWorthIt: false,
        retryAfter: "until the outage is lifted",
        adjustedFor,
      });
    }
    return Object.freeze({
      ...base,
      supportAction: `The connector ${label} is ${status}, not in a major outage: wait 10 minutes and refresh once; ${NO_CREDENTIALS}. After a couple of failures, report the connection id to Basiq with ${BASIQ_BLOCK}.`,
      refreshWorthIt: true,
      retryAfter: "10 minutes",
      adjustedFor,
    });
  }

  if (OUTAGE_STATUSES.includes(connector.status) && OUTAGE_SENSITIVE.includes(base.severity)) {
    return Object.freeze({
      ...base,
      whoActs: "bank",
      tellTheUser:
        "Your bank is having a temporary problem that stops us from updating your accounts. You don't need to " +
        "do anything right now; we will update your accounts once your bank is back to normal.",
      supportAction: `The connector ${label} is in a ${status}: wait until the outage is lifted before anything else; ${NO_CREDENTIALS}. If the job still fails once the connector is operational again: ${base.supportAction}`,
      refreshWorthIt: false,
      retryAfter: "until the outage is lifted",
      severity: "transient",
      adjustedFor,
    });
  }
  return base;
}

/** A job running longer than this many times the connector's average duration is shown as stuck. */
export const STUCK_FACTOR = 3;

/**
 * The connector's average total duration of a job: `stats.averageDurationMs.total`, or the sum of its steps
 * when Basiq leaves the total out. Null when Basiq gives no figures.
 */
export function averageJobDurationMs(averages: Readonly<Record<string, number>> | null | undefined): number | null {
  if (!averages) return null;
  if (typeof averages.total === "number" && averages.total > 0) return averages.total;
  const steps = ["verifyCredentials", "retrieveAccounts", "retrieveTransactions", "retrieveMeta"]
    .map((key) => averages[key])
    .filter((value): value is number => typeof value === "number" && value > 0);
  return steps.length > 0 ? steps.reduce((a, b) => a + b, 0) : null;
}

/** True when a running job has run longer than STUCK_FACTOR × the connector's average duration. */
export function isJobStuck(
  job: { running: boolean; created: string | null },
  averageMs: number | null,
  now: number = Date.now(),
): boolean {
  if (!job.running || !job.created || averageMs === null) return false;
  const started = Date.parse(job.created);
  return Number.isFinite(started) && now - started > averageMs * STUCK_FACTOR;
}
