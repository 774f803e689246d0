import "server-only";

import { z } from "zod";

// Basiq v3 wire objects, written from ../shared/basiq-openapi (core.json, data.json).
// Objects are loose (unknown extra fields pass through) so an additive change at Basiq does not break us;
// required fields and enums follow the spec. Where the spec contradicts itself, the comment says which way we went.

const resourceLinkSchema = z.looseObject({ self: z.string() });

/** List pages: `links.next` is how Basiq paginates (not declared in every list schema, always optional). */
const listLinksSchema = z.looseObject({ self: z.string(), next: z.string().optional() });

// ---------------------------------------------------------------------------------------------------------
// POST /token (core.json TokenPostResponse)

export const tokenResponseSchema = z.looseObject({
  access_token: z.string().min(1),
  expires_in: z.number().int().positive(),
  token_type: z.string(),
});
export type TokenResponse = z.infer<typeof tokenResponseSchema>;

// ---------------------------------------------------------------------------------------------------------
// Error body (BadRequestError, UnauthorizedError, NotFoundError, GoneError, ...). Parsed leniently: every
// field optional, because an error body that does not match must still become a useful error, not a second one.

export const errorItemSchema = z.looseObject({
  type: z.string().optional(),
  code: z.unknown().optional(), // a string, except StatusServiceUnavailableError which types it as object
  title: z.string().optional(),
  detail: z.string().optional(),
  source: z.looseObject({ parameter: z.string().optional(), pointer: z.string().optional() }).optional(),
});

export const errorBodySchema = z.looseObject({
  type: z.string().optional(),
  correlationId: z.string().optional(),
  data: z.array(z.unknown()).optional(),
});
export type ErrorBody = z.infer<typeof errorBodySchema>;

/** Documented error codes by status (BASIQ.md "Errors"); Basiq may send others. */
export const BASIQ_ERROR_CODES = [
  "parameter-not-supplied",
  "parameter-not-valid",
  "unsupported-accept",
  "invalid-content",
  "institution-not-supported",
  "invalid-credentials",
  "unauthorized-access",
  "invalid-authorization-token",
  "forbidden-access",
  "no-production-access",
  "access-denied",
  "resource-not-found",
  "resource-no-longer-available",
  "internal-server-error",
  "service-unavailable",
] as const;

// ---------------------------------------------------------------------------------------------------------
// GET /users/{userId} (core.json UserGetResponse)

const countedLinksSchema = z.looseObject({
  type: z.string(),
  count: z.number().int(),
  data: z.array(z.looseObject({ type: z.string(), id: z.string(), links: resourceLinkSchema })),
});

export const userSchema = z.looseObject({
  type: z.string(),
  id: z.string(),
  email: z.string(),
  mobile: z.string(),
  name: z.string(),
  firstName: z.string(),
  middleName: z.string(),
  lastName: z.string(),
  businessName: z.string().optional(),
  businessIdNo: z.string().optional(),
  businessIdNoType: z.enum(["ABN", "ACN"]).optional(),
  businessAddress: z.looseObject({}).optional(),
  verificationStatus: z.boolean().optional(),
  verificationDate: z.string().optional(),
  connections: countedLinksSchema,
  accounts: countedLinksSchema,
  // The spec lists auth_link as required in GetUserLinks but never defines it: we do not require it.
  links: z.looseObject({
    self: z.string(),
    accounts: z.string(),
    connections: z.string(),
    transactions: z.string(),
    auth_link: z.string().optional(),
  }),
});
export type BasiqUser = z.infer<typeof userSchema>;

// ---------------------------------------------------------------------------------------------------------
// Connections (data.json ConnectionsData, ConnectionGetResponseResource)

export const CONNECTION_STATUSES = ["active", "pending", "invalid", "pre-init"] as const;
export type ConnectionStatus = (typeof CONNECTION_STATUSES)[number];

const connectionInstitutionSchema = z.looseObject({
  id: z.string(),
  type: z.string(),
  links: resourceLinkSchema,
});

/** An item of GET /users/{userId}/connections. */
export const connectionSummarySchema = z.looseObject({
  type: z.string(),
  id: z.string(),
  method: z.string(),
  status: z.enum(CONNECTION_STATUSES).optional(),
  createdDate: z.string(),
  expiryDate: z.string(),
  lastUsed: z.string().optional(),
  mfaEnabled: z.boolean().optional(),
  institution: connectionInstitutionSchema,
  links: z.looseObject({
    self: z.string(),
    institution: z.string(),
    accounts: z.string().optional(),
    transactions: z.string().optional(),
  }),
});
export type ConnectionSummary = z.infer<typeof connectionSummarySchema>;

export const connectionListSchema = z.looseObject({
  type: z.string(),
  data: z.array(connectionSummarySchema).optional(),
  links: listLinksSchema.optional(),
});
export type ConnectionList = z.infer<typeof connectionListSchema>;

const connectionAccountSchema = z.looseObject({
  type: z.string(),
  id: z.string(),
  name: z.string(),
  accountNo: z.string(),
  currency: z.string(),
  class: z.looseObject({ type: z.string(), product: z.string() }),
  availableFunds: z.string().nullable(),
  balance: z.string().nullable(),
  lastUpdated: z.string(),
  status: z.enum(["available", "unavailable"]),
  links: z.looseObject({ self: z.string(), transactions: z.string() }),
});

/** GET /users/{userId}/connections/{connectionId}. `profile` and `accounts` hold PII: never log them. */
export const connectionSchema = z.looseObject({
  type: z.string(),
  id: z.string(),
  method: z.string(),
  status: z.enum(CONNECTION_STATUSES).optional(),
  createdDate: z.string(),
  expiryDate: z.string(),
  lastUsed: z.string().optional(),
  mfaEnabled: z.boolean().optional(),
  institution: connectionInstitutionSchema,
  accounts: z.looseObject({ type: z.string(), data: z.array(connectionAccountSchema) }).optional(),
  profile: z
    .looseObject({
      emailAddresses: z.array(z.string()),
      firstName: z.string(),
      fullName: z.string(),
      lastName: z.string(),
      middleName: z.string(),
      phoneNumbers: z.array(z.string()),
      physicalAddresses: z.array(z.looseObject({})),
    })
    .optional(),
  links: z.looseObject({
    self: z.string(),
    user: z.string(),
    accounts: z.string().optional(),
    transactions: z.string().optional(),
  }),
});
export type Connection = z.infer<typeof connectionSchema>;

/** 202 of POST .../refresh (data.json ConnectionResponseResource: a job reference). */
export const jobReferenceSchema = z.looseObject({
  type: z.string(),
  id: z.string(),
  links: resourceLinkSchema,
});
export type JobReference = z.infer<typeof jobReferenceSchema>;

// ---------------------------------------------------------------------------------------------------------
// Jobs (core.json JobsResponseResource / JobsData / JobsStep / JobsResult, and `job` for GET /jobs/{jobId})

export const JOB_STEP_TITLES = [
  "verify-credentials",
  "retrieve-accounts",
  "retrieve-transactions",
  "retrieve-statements",
] as const;
export const JOB_STEP_STATUSES = ["pending", "in-progress", "success", "failed"] as const;

/**
 * Result codes the spec enumerates (JobsResult.code). Not enforced: the spec's own GET /jobs/{jobId} example
 * returns `authorization-failed` and the handling-jobs guide names `account-not-accessible-requires-user-action`.
 * A failed job is exactly what this console must show, so an unlisted code must not turn it into a schema error.
 */
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
export type KnownJobResultCode = (typeof JOB_RESULT_CODES)[number];

/** `{type: "link", url}` on success; `{code, title, detail}` on failure (the spec names it `details` in one place). */
export const jobResultSchema = z.looseObject({
  type: z.string().optional(),
  url: z.string().optional(),
  code: z.string().optional(),
  title: z.string().optional(),
  detail: z.string().optional(),
  details: z.string().optional(),
});
export type JobResult = z.infer<typeof jobResultSchema>;

export const jobStepSchema = z.looseObject({
  title: z.enum(JOB_STEP_TITLES).optional(),
  status: z.enum(JOB_STEP_STATUSES),
  // Required by JobsStep but null while a step is pending (the spec's own examples, and `nullable` on GET /jobs/{id}).
  result: jobResultSchema.nullable(),
});
export type JobStep = z.infer<typeof jobStepSchema>;

const jobLinksSchema = z.looseObject({ self: z.string(), source: z.string().optional() });

/** An item of GET /users/{userId}/jobs. */
export const jobSchema = z.looseObject({
  type: z.string().optional(),
  id: z.string(),
  created: z.string(),
  updated: z.string(),
  institution: z.looseObject({ id: z.string(), type: z.string(), links: jobLinksSchema }),
  steps: z.array(jobStepSchema),
  links: jobLinksSchema.optional(),
});
export type Job = z.infer<typeof jobSchema>;

export const jobListSchema = z.looseObject({
  type: z.string(),
  size: z.number().int(),
  data: z.array(jobSchema),
  links: listLinksSchema,
});
export type JobListPage = z.infer<typeof jobListSchema>;

/**
 * GET /jobs/{jobId} (core.json `job`, first of a oneOf that requires nothing). We require `id` — every variant has
 * it and a job without one is useless — and keep step fields as plain strings, as that schema declares them.
 */
export const jobDetailSchema = z.looseObject({
  type: z.string().optional(),
  id: z.string(),
  partnerId: z.string().optional(),
  applicationId: z.string().optional(),
  status: z.string().optional(),
  jobType: z.string().optional(),
  created: z.string().optional(),
  updated: z.string().optional(),
  institution: z.looseObject({ id: z.string() }).optional(),
  steps: z
    .array(
      z.looseObject({
        title: z.string().optional(),
        status: z.string().optional(),
        result: jobResultSchema.nullable().optional(),
      }),
    )
    .optional(),
  links: z
    .looseObject({ self: z.string().optional(), source: z.string().optional(), link: z.string().optional() })
    .optional(),
});
export type JobDetail = z.infer<typeof jobDetailSchema>;

// ---------------------------------------------------------------------------------------------------------
// Connectors (data.json Connector, ConnectorsList)

export const CONNECTOR_METHODS = ["web", "openbanking", "csv", "pdf"] as const;
export type ConnectorMethod = (typeof CONNECTOR_METHODS)[number];
/** `^[A-Z]{2}[0-9]{5}$` in the spec (path parameter and Connector.id). */
export const CONNECTOR_ID_PATTERN = /^[A-Z]{2}[0-9]{5}$/;
/** Documented values of `stage` and `status` (BASIQ.md); the spec types both as free strings, so not enforced. */
export const CONNECTOR_STAGES = ["alpha", "beta", "live"] as const;
export const CONNECTOR_STATUSES = [
  "operational",
  "degraded-performance",
  "partial-outage",
  "major-outage",
  "under-maintenance",
] as const;

export const connectorSchema = z.looseObject({
  type: z.enum(["connector"]),
  id: z.string().regex(CONNECTOR_ID_PATTERN),
  method: z.enum(CONNECTOR_METHODS),
  stage: z.string(),
  status: z.string(),
  institution: z.looseObject({
    type: z.enum([
      "Bank",
      "Bank (Foreign)",
      "Test Bank",
      "Credit Union",
      "Financial Services",
      "Superannuation",
      "Building Society",
      "Government",
    ]),
    name: z.string(),
    shortName: z.string(),
    tier: z.enum(["1", "2", "3", "4"]),
    country: z.string(),
    logo: z.looseObject({
      type: z.enum(["image"]),
      links: z.looseObject({ full: z.string(), square: z.string() }),
      colors: z.looseObject({ primary: z.string().optional() }).optional(),
    }),
  }),
  scopes: z.array(z.string()),
  authorization: z.looseObject({
    type: z.enum(["user", "token", "other", "user-mfa", "user-mfa-intermittent"]),
    meta: z.looseObject({}).optional(),
  }),
  stats: z.looseObject({
    averageDurationMs: z
      .looseObject({
        verifyCredentials: z.number().optional(),
        retrieveAccounts: z.number().optional(),
        retrieveMeta: z.number().optional(),
        retrieveTransactions: z.number().optional(),
        total: z.number().optional(),
      })
      .optional(),
  }),
  links: resourceLinkSchema.optional(),
});
export type Connector = z.infer<typeof connectorSchema>;

export const connectorListSchema = z.looseObject({
  type: z.string(),
  totalCount: z.number().int(),
  data: z.array(connectorSchema),
  links: listLinksSchema,
});
export type ConnectorList = z.infer<typeof connectorListSchema>;

// ---------------------------------------------------------------------------------------------------------
// Events (core.json EventsGetResponseResource / EventsData)

/**
 * EventsData enumerates entity `consent|connection` and six event types, but the spec's own GET /events/types lists
 * user.*, account.updated and transactions.updated too (and BASIQ.md relies on user.created). We accept the union.
 */
export const EVENT_ENTITIES = ["consent", "connection", "user", "account", "transactions"] as const;
export const EVENT_TYPES = [
  "created",
  "updated",
  "deleted",
  "archived",
  "revoked",
  "expired",
  "activated",
  "invalidated",
  "warning",
  "reminder",
] as const;

export const eventSchema = z.looseObject({
  type: z.string(),
  id: z.string(),
  createdDate: z.string(),
  entity: z.enum(EVENT_ENTITIES),
  eventType: z.enum(EVENT_TYPES),
  userId: z.string(),
  dataRef: z.string(),
  // Typed `string` in EventsData, an array in its example, an object in RetrieveEvent: accept whatever comes.
  data: z.unknown(),
  links: z.unknown(),
});
export type BasiqEvent = z.infer<typeof eventSchema>;

export const eventListSchema = z.looseObject({
  type: z.string(),
  data: z.array(eventSchema).optional(),
  links: listLinksSchema.optional(),
});
export type EventListPage = z.infer<typeof eventListSchema>;
