import "server-only";

import { z } from "zod";

import {
  CONNECTION_STATUSES,
  CONNECTOR_METHODS,
  CONNECTOR_STAGES,
  CONNECTOR_STATUSES,
  JOB_STEP_STATUSES,
  JOB_STEP_TITLES,
} from "@/lib/vocabulary";

// Basiq v3 wire objects, written from ../shared/basiq-openapi (core.json, data.json).
//
// Tolerant readers, strict ids (issue 13). Objects are loose (unknown extra fields pass through). Ids, and the
// fields the console acts on (a connection's institution, a job's steps, a connector's id and method), must be
// valid; every other field is optional, and enums are read as plain strings: Basiq adds values without notice
// (connection states `init`, `deleted`, `revoked`; new institution or authorization types), and lib/basiq/
// vocabulary.ts says which values this console knows — an unknown one is shown raw, never rejected. Lists are
// parsed item by item: one odd item is left out (and reported in `skipped`), it never blanks the page.

export {
  CONNECTION_STATUSES,
  CONNECTOR_METHODS,
  CONNECTOR_STAGES,
  CONNECTOR_STATUSES,
  JOB_STEP_STATUSES,
  JOB_STEP_TITLES,
};

/** Ids Basiq issues (UUIDs, hex, digits): the same characters the client accepts in a path. */
export const basiqIdSchema = z.string().regex(/^[A-Za-z0-9_-]{1,128}$/, "is not a Basiq id");

/** An item of a list that did not parse and was left out: where, and zod's message (never the value). */
export interface SkippedItem {
  index: number;
  path: string;
  issue: string;
}

const skippedByList = new WeakMap<readonly unknown[], SkippedItem[]>();

/** The items left out of a list parsed by `itemByItem` (empty when none were). */
export function skippedItems(list: readonly unknown[] | undefined): SkippedItem[] {
  return (list && skippedByList.get(list)) ?? [];
}

/** A list read item by item: the items that parse (the ones that did not: `skippedItems(list)`). */
export function itemByItem<T extends z.ZodType>(item: T) {
  return z.array(z.unknown()).transform((raw): z.output<T>[] => {
    const items: z.output<T>[] = [];
    const skipped: SkippedItem[] = [];
    raw.forEach((value, index) => {
      const parsed = item.safeParse(value);
      if (parsed.success) {
        items.push(parsed.data);
        return;
      }
      const issue = parsed.error.issues[0];
      skipped.push({
        index,
        path: issue && issue.path.length > 0 ? issue.path.map(String).join(".") : "(item)",
        issue: issue?.message ?? "does not match the schema",
      });
    });
    if (skipped.length > 0) skippedByList.set(items, skipped);
    return items;
  });
}

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
  type: z.string().optional(),
  count: z.number().int().optional(),
  data: z.array(z.unknown()).optional(),
});

/**
 * Only `id` is required. Basiq requires an e-mail *or* a mobile when a user is created, so either may be missing
 * (the spec marks both required); names, counts and links are shown when present and never acted on.
 */
export const userSchema = z.looseObject({
  type: z.string().optional(),
  id: basiqIdSchema,
  email: z.string().optional(),
  mobile: z.string().optional(),
  name: z.string().optional(),
  firstName: z.string().optional(),
  middleName: z.string().optional(),
  lastName: z.string().optional(),
  businessName: z.string().optional(),
  businessIdNo: z.string().optional(),
  businessIdNoType: z.string().optional(),
  businessAddress: z.looseObject({}).optional(),
  verificationStatus: z.boolean().optional(),
  verificationDate: z.string().optional(),
  connections: countedLinksSchema.optional(),
  accounts: countedLinksSchema.optional(),
  // The spec lists auth_link as required in GetUserLinks but never defines it: we do not require it.
  links: z
    .looseObject({
      self: z.string().optional(),
      accounts: z.string().optional(),
      connections: z.string().optional(),
      transactions: z.string().optional(),
      auth_link: z.string().optional(),
    })
    .optional(),
});
export type BasiqUser = z.infer<typeof userSchema>;

// ---------------------------------------------------------------------------------------------------------
// Connections (data.json ConnectionsData, ConnectionGetResponseResource)

/** The connection's institution: its id is what the console acts on (connector status, filters). */
const connectionInstitutionSchema = z.looseObject({
  id: z.string().min(1),
  type: z.string().optional(),
  links: z.looseObject({ self: z.string().optional() }).optional(),
});

/**
 * An item of GET /users/{userId}/connections. `status` is any string (see vocabulary.ts CONNECTION_STATUS:
 * the spec's four plus `init`, `deleted`, `revoked`); absent means pending, as before.
 */
export const connectionSummarySchema = z.looseObject({
  type: z.string().optional(),
  id: basiqIdSchema,
  method: z.string(),
  status: z.string().optional(),
  createdDate: z.string().optional(),
  expiryDate: z.string().optional(),
  lastUsed: z.string().optional(),
  mfaEnabled: z.boolean().optional(),
  institution: connectionInstitutionSchema,
  links: z
    .looseObject({
      self: z.string().optional(),
      institution: z.string().optional(),
      accounts: z.string().optional(),
      transactions: z.string().optional(),
    })
    .optional(),
});
export type ConnectionSummary = z.infer<typeof connectionSummarySchema>;

export const connectionListSchema = z.looseObject({
  type: z.string().optional(),
  data: itemByItem(connectionSummarySchema).optional(),
  links: listLinksSchema.optional(),
});
export type ConnectionList = z.infer<typeof connectionListSchema>;

const connectionAccountSchema = z.looseObject({
  type: z.string().optional(),
  id: basiqIdSchema,
  name: z.string().optional(),
  accountNo: z.string().optional(),
  currency: z.string().optional(),
  class: z.looseObject({ type: z.string().optional(), product: z.string().optional() }).optional(),
  availableFunds: z.string().nullable().optional(),
  balance: z.string().nullable().optional(),
  lastUpdated: z.string().optional(),
  status: z.string().optional(),
  links: z.looseObject({ self: z.string().optional(), transactions: z.string().optional() }).optional(),
});

/** GET /users/{userId}/connections/{connectionId}. `profile` and `accounts` hold PII: never log them. */
export const connectionSchema = z.looseObject({
  type: z.string().optional(),
  id: basiqIdSchema,
  method: z.string(),
  status: z.string().optional(),
  createdDate: z.string().optional(),
  expiryDate: z.string().optional(),
  lastUsed: z.string().optional(),
  mfaEnabled: z.boolean().optional(),
  institution: connectionInstitutionSchema,
  accounts: z
    .looseObject({ type: z.string().optional(), data: itemByItem(connectionAccountSchema) })
    .optional(),
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
  // `links.user` is how the console checks that the connection belongs to the user in the URL.
  links: z.looseObject({
    self: z.string().optional(),
    user: z.string(),
    accounts: z.string().optional(),
    transactions: z.string().optional(),
  }),
});
export type Connection = z.infer<typeof connectionSchema>;

/** 202 of POST .../refresh (data.json ConnectionResponseResource: a job reference). */
export const jobReferenceSchema = z.looseObject({
  type: z.string(),
  id: basiqIdSchema,
  links: resourceLinkSchema,
});
export type JobReference = z.infer<typeof jobReferenceSchema>;

// ---------------------------------------------------------------------------------------------------------
// Jobs (core.json JobsResponseResource / JobsData / JobsStep / JobsResult, and `job` for GET /jobs/{jobId})

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

/**
 * Title and status are read as strings (vocabulary.ts JOB_STEP_TITLE / JOB_STEP_STATUS say which are known);
 * `result` is required by JobsStep but null while a step is pending, and sometimes absent altogether.
 */
export const jobStepSchema = z.looseObject({
  title: z.string().optional(),
  status: z.string().optional(),
  result: jobResultSchema.nullable().optional(),
});
export type JobStep = z.infer<typeof jobStepSchema>;

const jobLinksSchema = z.looseObject({ self: z.string(), source: z.string().optional() });

/** An item of GET /users/{userId}/jobs. */
export const jobSchema = z.looseObject({
  type: z.string().optional(),
  id: basiqIdSchema,
  created: z.string().optional(),
  updated: z.string().optional(),
  institution: z
    .looseObject({ id: z.string(), type: z.string().optional(), links: jobLinksSchema.optional() })
    .optional(),
  // What the console acts on (outcome, failed step, remediation): a job without steps is left out of the list.
  steps: z.array(jobStepSchema),
  links: jobLinksSchema.optional(),
});
export type Job = z.infer<typeof jobSchema>;

export const jobListSchema = z.looseObject({
  type: z.string().optional(),
  size: z.number().int().optional(),
  data: itemByItem(jobSchema),
  links: listLinksSchema,
});
export type JobListPage = z.infer<typeof jobListSchema>;

/**
 * GET /jobs/{jobId} (core.json `job`, first of a oneOf that requires nothing). We require `id` — every variant has
 * it and a job without one is useless — and keep step fields as plain strings, as that schema declares them.
 */
export const jobDetailSchema = z.looseObject({
  type: z.string().optional(),
  id: basiqIdSchema,
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

export type ConnectorMethod = (typeof CONNECTOR_METHODS)[number];
/** `^[A-Z]{2}[0-9]{5}$` in the spec (path parameter and Connector.id). */
export const CONNECTOR_ID_PATTERN = /^[A-Z]{2}[0-9]{5}$/;
/**
 * The connector's id and method are what the console acts on (stored by `id/method`, looked up by a connection's
 * institution and method): the id must match the spec's pattern and the method be a known one, or the item is
 * left out of the list. Status, stage, institution type, tier and authorization type are free strings
 * (vocabulary.ts knows the documented ones); names and logos are optional.
 */
export const connectorSchema = z.looseObject({
  type: z.string().optional(),
  id: z.string().regex(CONNECTOR_ID_PATTERN),
  method: z.enum(CONNECTOR_METHODS),
  stage: z.string().optional(),
  status: z.string(),
  institution: z.looseObject({
    type: z.string().optional(),
    name: z.string(),
    shortName: z.string().optional(),
    tier: z.string().optional(),
    country: z.string().optional(),
    logo: z
      .looseObject({
        type: z.string().optional(),
        links: z.looseObject({ full: z.string().optional(), square: z.string().optional() }).optional(),
        colors: z.looseObject({ primary: z.string().optional() }).optional(),
      })
      .optional(),
  }),
  scopes: z.array(z.string()).optional(),
  authorization: z
    .looseObject({
      type: z.string().optional(),
      meta: z.looseObject({}).optional(),
    })
    .optional(),
  stats: z
    .looseObject({
      averageDurationMs: z
        .looseObject({
          verifyCredentials: z.number().optional(),
          retrieveAccounts: z.number().optional(),
          retrieveMeta: z.number().optional(),
          retrieveTransactions: z.number().optional(),
          total: z.number().optional(),
        })
        .optional(),
    })
    .optional(),
  links: resourceLinkSchema.optional(),
});
export type Connector = z.infer<typeof connectorSchema>;

export const connectorListSchema = z.looseObject({
  type: z.string().optional(),
  totalCount: z.number().int().optional(),
  data: itemByItem(connectorSchema),
  links: listLinksSchema.optional(),
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

/** GET /events/types: read for its status only (the health probe), so nothing in it is required but `data`. */
export const eventTypeListSchema = z.looseObject({
  data: z.array(z.looseObject({ id: z.string().optional() })),
});
