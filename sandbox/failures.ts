// Job steps and the job failure catalogue: where each documented result code fails, and the
// {title, detail} it carries. Sources: the spec's JobsResult.code enum (core.json, GET /users/{userId}/jobs)
// and Basiq's "Handling jobs" guide for `account-not-accessible-requires-user-action`, invalid
// credentials on verify-credentials and `service-unavailable` (the `jianYang` test persona).

export const STEP_TITLES = [
  "verify-credentials",
  "retrieve-accounts",
  "retrieve-transactions",
  "retrieve-statements",
] as const;
export type StepTitle = (typeof STEP_TITLES)[number];

export const STEP_STATUSES = ["pending", "in-progress", "success", "failed"] as const;
export type StepStatus = (typeof STEP_STATUSES)[number];

/** Steps of a job on a live connection (web, open banking). */
export const LIVE_STEPS: readonly StepTitle[] = [
  "verify-credentials",
  "retrieve-accounts",
  "retrieve-transactions",
];
/**
 * Steps of a job on an uploaded statement (csv, pdf). A sandbox choice: the spec lists `retrieve-statements`
 * as a step title without saying where it runs; parsing the file comes first, so it is the first step here.
 */
export const STATEMENT_STEPS: readonly StepTitle[] = [
  "retrieve-statements",
  "retrieve-accounts",
  "retrieve-transactions",
];

/** The result codes of the spec's JobsResult enum, in its order (BASIQ.md's "Result codes" list). */
export const JOB_RESULT_CODES = [
  "success",
  "user-action-required",
  "system-unavailable",
  "maintenance",
  "connector-error",
  "institution-not-found",
  "institution-not-available",
  "institution-disabled",
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
  "invalid-connection",
  "unknown-error",
  "job-timed-out",
] as const;

/** Failure codes that Basiq's guides document but the spec's enum leaves out. */
export const GUIDE_ONLY_FAILURE_CODES = [
  "account-not-accessible-requires-user-action",
  "invalid-credentials",
  "service-unavailable",
] as const;

export type JobFailureCode =
  Exclude<(typeof JOB_RESULT_CODES)[number], "success"> | (typeof GUIDE_ONLY_FAILURE_CODES)[number];

export type FailureMethod = "web" | "openbanking" | "csv" | "pdf";

export interface JobFailure {
  code: JobFailureCode;
  title: string;
  detail: string;
  /** The step this failure happens on. */
  step: StepTitle;
  /** The connection method a failing persona uses to demonstrate it. */
  method: FailureMethod;
  /** The institution a failing persona uses to demonstrate it (outage codes sit on connectors in outage). */
  institutionId: string;
  /** True when the connection becomes `invalid` (the user has to act through the Consent UI). */
  invalidatesConnection: boolean;
}

const failure = (
  code: JobFailureCode,
  step: StepTitle,
  method: FailureMethod,
  institutionId: string,
  title: string,
  detail: string,
  invalidatesConnection = false,
): JobFailure => ({ code, step, method, institutionId, title, detail, invalidatesConnection });

/** One entry per failure code: every JobsResult code except `success`, plus the two guide-only codes. */
export const JOB_FAILURES: readonly JobFailure[] = [
  failure(
    "invalid-credentials",
    "verify-credentials",
    "web",
    "AU00000",
    "Cannot login to target institution, check credentials.",
    "Cannot login to target institution using supplied credentials. Please check credentials and try again.",
    true,
  ),
  failure(
    "user-action-required",
    "verify-credentials",
    "web",
    "AU00101",
    "Action required by the user.",
    "The institution requires the user to log in to their internet banking and complete an action before data can be retrieved.",
    true,
  ),
  failure(
    "account-not-accessible-requires-user-action",
    "retrieve-accounts",
    "web",
    "AU00201",
    "Account not accessible, user action required.",
    "The bank is showing a pop-up or new terms and conditions in internet banking. The user must log in, accept or dismiss it, then the connection can be refreshed.",
  ),
  failure(
    "system-unavailable",
    "verify-credentials",
    "web",
    "AU00401",
    "Institution system unavailable.",
    "The institution's internet banking is currently unavailable. Try again later; do not ask the user for credentials.",
  ),
  failure(
    "maintenance",
    "verify-credentials",
    "web",
    "AU00601",
    "Institution under maintenance.",
    "The institution is undergoing scheduled maintenance. Try again later.",
  ),
  failure(
    "connector-error",
    "retrieve-transactions",
    "web",
    "AU00301",
    "Connector error.",
    "Basiq's connector for this institution failed while retrieving transactions. Basiq has been notified.",
  ),
  failure(
    "institution-not-found",
    "verify-credentials",
    "web",
    "AU00004",
    "Institution not found.",
    "The institution for this connection could not be found.",
  ),
  failure(
    "institution-not-available",
    "verify-credentials",
    "openbanking",
    "AU00301",
    "Institution not available.",
    "The institution is temporarily not available. Try again later.",
  ),
  failure(
    "institution-disabled",
    "verify-credentials",
    "web",
    "AU01001",
    "Institution disabled.",
    "Connections to this institution have been disabled.",
  ),
  failure(
    "missing-required-field",
    "retrieve-statements",
    "csv",
    "AU00201",
    "Missing required field.",
    "The uploaded CSV file has no 'amount' column.",
  ),
  failure(
    "missing-required-field-value",
    "retrieve-transactions",
    "csv",
    "AU00301",
    "Missing required field value.",
    "Row 14 of the uploaded CSV file has no value for the required field 'date'.",
  ),
  failure(
    "invalid-field-value",
    "retrieve-transactions",
    "csv",
    "AU00201",
    "Invalid field value.",
    "Row 7 of the uploaded CSV file has 'amount' = '12,3O', which is not a number.",
  ),
  failure(
    "invalid-csv-row",
    "retrieve-transactions",
    "csv",
    "AU00301",
    "Invalid CSV row.",
    "Row 22 of the uploaded CSV file has 6 columns; 4 were expected.",
  ),
  failure(
    "row-count-exceeded",
    "retrieve-statements",
    "csv",
    "AU00201",
    "Row count exceeded.",
    "The uploaded CSV file has 120,418 rows; at most 100,000 are accepted.",
  ),
  failure(
    "account-data-differs",
    "retrieve-accounts",
    "pdf",
    "AU00101",
    "Account data differs.",
    "The account number or holder in the statement differs from the account already held for this connection.",
  ),
  failure(
    "empty-file",
    "retrieve-statements",
    "csv",
    "AU00301",
    "Empty file.",
    "The uploaded file contains no data.",
  ),
  failure(
    "bank-statement-invalid",
    "retrieve-statements",
    "pdf",
    "AU00101",
    "Bank statement invalid.",
    "The uploaded document is not a valid bank statement.",
  ),
  failure(
    "bank-statement-new-product",
    "retrieve-statements",
    "pdf",
    "AU00401",
    "Bank statement for a new product.",
    "The statement is for a product whose layout is not supported yet; Basiq has been notified.",
  ),
  failure(
    "bank-statement-parsing-error",
    "retrieve-statements",
    "pdf",
    "AU00101",
    "Bank statement parsing error.",
    "The statement could not be parsed.",
  ),
  failure(
    "bank-statement-not-supported",
    "retrieve-statements",
    "pdf",
    "AU00401",
    "Bank statement not supported.",
    "Statements from this institution are not supported.",
  ),
  failure(
    "txn-after-last-updated-date",
    "retrieve-transactions",
    "pdf",
    "AU00101",
    "Transaction after last updated date.",
    "The statement contains transactions dated after the account's last updated date.",
  ),
  failure(
    "invalid-connection",
    "verify-credentials",
    "openbanking",
    "AU00101",
    "Invalid connection.",
    "The consent for this connection was revoked or has expired. The user must reconnect through the Consent UI.",
    true,
  ),
  failure(
    "unknown-error",
    "retrieve-transactions",
    "web",
    "AU00501",
    "Unknown error.",
    "An unexpected error occurred while retrieving transactions.",
  ),
  failure(
    "job-timed-out",
    "retrieve-transactions",
    "openbanking",
    "AU00701",
    "Job timed out.",
    "The institution took too long to respond and the job timed out.",
  ),
  // Basiq's own test persona jianYang (Hooli, password `nothotdog`) fails this way (BASIQ.md, handling-jobs).
  failure(
    "service-unavailable",
    "verify-credentials",
    "web",
    "AU00000",
    "Service unavailable.",
    "The institution's service is temporarily unavailable. Basiq retries scheduled updates every 2 hours for up to 7 days.",
  ),
];

/** Every failure code the seeded data demonstrates. */
export const JOB_FAILURE_CODES: readonly JobFailureCode[] = JOB_FAILURES.map((entry) => entry.code);

export function requireFailure(code: JobFailureCode): JobFailure {
  const entry = JOB_FAILURES.find((candidate) => candidate.code === code);
  if (!entry) throw new Error(`Unknown job failure code ${code}`);
  return entry;
}
