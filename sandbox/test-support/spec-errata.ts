// Where Basiq's OpenAPI documents (../shared/basiq-openapi) disagree with Basiq's own documentation or with
// what Basiq sends — listed in one place (BASIQ.md "Spec errata"). The contract tests (sandbox/contract.test.ts)
// read every allowance from here; anything not listed is a contract failure.

/** An allowance, with where Basiq documents the behaviour the spec does not show. */
interface Erratum {
  why: string;
}

/** Enum values Basiq documents outside the spec (`path` with array indexes written `[]`). */
export interface EnumErratum extends Erratum {
  operations: readonly string[];
  path: string;
  values: readonly string[];
}

export const ENUM_ERRATA: readonly EnumErratum[] = [
  {
    operations: ["GET /users/{userId}/connections"],
    path: "$.data[].status",
    values: ["init", "revoked", "deleted"],
    why: "Connection states beyond the spec's four: init (open banking, mid-consent), deleted, revoked (BASIQ.md).",
  },
  {
    operations: ["GET /users/{userId}/connections/{connectionId}"],
    path: "$.status",
    values: ["init", "revoked", "deleted"],
    why: "Same connection states on the single-connection read.",
  },
  {
    operations: ["GET /users/{userId}/jobs"],
    path: "$.data[].steps[].title",
    values: ["retrieve-meta"],
    why: "Basiq adds job steps without notice; the sandbox's odd-states persona sends one the console does not know.",
  },
];

/** Undeclared properties the sandbox sends on purpose, per operation (see sandbox/wire.ts for why). */
export const DELIBERATE_EXTRAS: Readonly<Record<string, readonly string[]>> = {
  "GET /users/{userId}": ["$.links.auth_link"], // required by GetUserLinks, never declared
  "GET /users/{userId}/connections": ["$.data[].mfaEnabled", "$.data[].links.user"],
  "GET /users/{userId}/connections/{connectionId}": ["$.mfaEnabled", "$.links.institution"],
  "GET /users/{userId}/jobs": ["$.data[].steps[].result.detail"], // the spec says `details`; guides say `detail`
  "GET /jobs/{jobId}": ["$.institution", "$.steps[].result.details"],
  "GET /events": ["$.links.next"],
};

/** `oneOf` lists whose branches require nothing, so every value matches several: read as `anyOf`. */
export const ONE_OF_READ_AS_ANY_OF: readonly string[] = ["GET /jobs/{jobId}"];

/** Statuses an operation does not document, checked against the same error schema elsewhere in the spec. */
export const FALLBACK_OPERATIONS: Readonly<Record<number, readonly [string, string]>> = {
  401: ["GET", "/users/{userId}"],
  403: ["GET", "/users/{userId}"], // 403 "Token has expired" is documented for nearly every endpoint (BASIQ.md)
  429: ["GET", "/events/{id}"],
  503: ["GET", "/users/{userId}/connections"],
};

/**
 * Errata the schemas already allow or the console reads leniently, listed so the list stays whole:
 * - pending job steps carry `result: null` (JobsStep requires `result`; GET /jobs/{jobId} marks it nullable);
 * - event `data` is typed `string` in EventsData, an array in its example, an object in RetrieveEvent;
 * - `POST /token` answers a wrong or deleted key with 404 "Unable to authenticate. Please, check your API key"
 *   (documented in the spec as NotFoundError; described only in Basiq's guides).
 */
export const OTHER_ERRATA: readonly Erratum[] = [
  { why: "Pending job steps carry result: null." },
  { why: "Event data is documented as a string but is an object." },
  { why: "POST /token → 404 for a refused API key." },
];

/** True when an enum issue at `path` of `operation` is a listed erratum. */
export function isEnumErratum(operation: string, path: string, message: string): boolean {
  const normalised = path.replace(/\[\d+\]/g, "[]");
  return ENUM_ERRATA.some(
    (e) =>
      e.operations.includes(operation) &&
      e.path === normalised &&
      e.values.some((v) => message.startsWith(`${JSON.stringify(v)} is not one of`)),
  );
}
