// Drizzle schema: the tables the console owns. Migrations in drizzle/ are generated from this file
// (npm run db:generate). We never store Basiq tokens, the API key, accounts or transactions.
import { sql } from "drizzle-orm";
import {
  bigint,
  bigserial,
  boolean,
  index,
  integer,
  jsonb,
  pgEnum,
  pgTable,
  primaryKey,
  text,
  timestamp,
  uniqueIndex,
  uuid,
} from "drizzle-orm/pg-core";

export const staffRole = pgEnum("staff_role", ["staff", "support", "admin"]);
export const staffStatus = pgEnum("staff_status", ["active", "disabled"]);

/** People who sign in to the console. Staff e-mails are work identities, kept in clear for sign-in. */
export const staff = pgTable("staff", {
  id: uuid("id").primaryKey().defaultRandom(),
  email: text("email").notNull().unique(),
  name: text("name").notNull(),
  /** Null: created by a first SSO sign-in and waiting for an administrator to give a role (no access until then). */
  role: staffRole("role"),
  status: staffStatus("status").notNull().default("active"),
  passwordHash: text("password_hash"),
  isDemo: boolean("is_demo").notNull().default(false),
  createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
  updatedAt: timestamp("updated_at", { withTimezone: true }).notNull().defaultNow(),
  lastSignInAt: timestamp("last_sign_in_at", { withTimezone: true }),
  /** A generated (one-time) password: it stops working at this time and must be changed at first sign-in. */
  passwordExpiresAt: timestamp("password_expires_at", { withTimezone: true }),
  passwordChangeRequired: boolean("password_change_required").notNull().default(false),
  /** The identity provider's issuer and `sub` this row is linked to (issue 19: OIDC single sign-on). */
  oidcIssuer: text("oidc_issuer"),
  oidcSubject: text("oidc_subject"),
  /** The role was last set by OIDC_ROLE_MAP (not by hand): losing every mapped group then removes it. */
  roleFromIdp: boolean("role_from_idp").notNull().default(false),
}, (t) => [uniqueIndex("staff_oidc_identity_idx").on(t.oidcIssuer, t.oidcSubject)]);

/**
 * Invitations (issue 19): an admin invites an e-mail with a role; the link carries a random token of which only
 * its keyed hash is stored. Single use (`used_at` claimed in one statement), valid until `expires_at` (72 h).
 */
export const staffInvitations = pgTable(
  "staff_invitations",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    email: text("email").notNull(),
    role: staffRole("role").notNull(),
    tokenHash: text("token_hash").notNull(),
    invitedBy: uuid("invited_by").references(() => staff.id, { onDelete: "set null" }),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
    expiresAt: timestamp("expires_at", { withTimezone: true }).notNull(),
    usedAt: timestamp("used_at", { withTimezone: true }),
    staffId: uuid("staff_id").references(() => staff.id, { onDelete: "set null" }),
  },
  (t) => [uniqueIndex("staff_invitations_token_idx").on(t.tokenHash), index("staff_invitations_email_idx").on(t.email)],
);

/** Console-wide settings admins change on the Staff page (issue 19: `sso-only`), each change audited. */
export const consoleSettings = pgTable("console_settings", {
  key: text("key").primaryKey(),
  value: jsonb("value").notNull(),
  updatedAt: timestamp("updated_at", { withTimezone: true }).notNull().defaultNow(),
  updatedBy: uuid("updated_by").references(() => staff.id, { onDelete: "set null" }),
});

/**
 * Server-side sessions (SECURITY.md SES-1). The session cookie's JWT carries only this row's id and the staff id;
 * every request checks the row: revoked, older than 12 h or idle for 30 min means signed out
 * (lib/auth/server-sessions.ts). `second_factor_at` is set once the second factor is verified in this session.
 */
export const staffSessions = pgTable(
  "staff_sessions",
  {
    id: text("id").primaryKey(),
    staffId: uuid("staff_id")
      .notNull()
      .references(() => staff.id, { onDelete: "cascade" }),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
    lastSeenAt: timestamp("last_seen_at", { withTimezone: true }).notNull().defaultNow(),
    secondFactorAt: timestamp("second_factor_at", { withTimezone: true }),
    revokedAt: timestamp("revoked_at", { withTimezone: true }),
    revokedReason: text("revoked_reason"),
    ip: text("ip"),
    userAgent: text("user_agent"),
  },
  (t) => [index("staff_sessions_staff_idx").on(t.staffId)],
);

/**
 * A staff member's TOTP second factor (SECURITY.md AUTH-3). The secret is AES-256-GCM ciphertext bound to
 * (staff_second_factors, secret_enc, staff id). Until `confirmed_at` is set the enrolment is pending (not enforced).
 * `last_used_step` makes every code single-use.
 */
export const staffSecondFactors = pgTable("staff_second_factors", {
  staffId: uuid("staff_id")
    .primaryKey()
    .references(() => staff.id, { onDelete: "cascade" }),
  secretEnc: text("secret_enc").notNull(),
  createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
  confirmedAt: timestamp("confirmed_at", { withTimezone: true }),
  lastUsedStep: bigint("last_used_step", { mode: "number" }),
});

/** One-time recovery codes, stored as keyed hashes (HMAC-SHA256 under the blind-index key) only. */
export const staffRecoveryCodes = pgTable(
  "staff_recovery_codes",
  {
    id: bigserial("id", { mode: "number" }).primaryKey(),
    staffId: uuid("staff_id")
      .notNull()
      .references(() => staff.id, { onDelete: "cascade" }),
    codeHash: text("code_hash").notNull(),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
    usedAt: timestamp("used_at", { withTimezone: true }),
  },
  (t) => [uniqueIndex("staff_recovery_codes_hash_idx").on(t.staffId, t.codeHash)],
);

/** Sign-in throttling windows, keyed "account:<email>" or "ip:<address>" (SECURITY.md AUTH-2). */
export const signInThrottle = pgTable("sign_in_throttle", {
  key: text("key").primaryKey(),
  failures: integer("failures").notNull().default(0),
  windowStartedAt: timestamp("window_started_at", { withTimezone: true }).notNull().defaultNow(),
});

/**
 * Append-only audit trail (SECURITY.md LOG-1/LOG-2). A trigger in the migrations refuses UPDATE, DELETE and
 * TRUNCATE. `details` holds ids and outcomes only, never CDR content or PII.
 */
export const auditEvents = pgTable(
  "audit_events",
  {
    id: bigserial("id", { mode: "number" }).primaryKey(),
    occurredAt: timestamp("occurred_at", { withTimezone: true }).notNull().defaultNow(),
    actorId: uuid("actor_id"),
    actorEmail: text("actor_email"),
    actorRole: text("actor_role"),
    action: text("action").notNull(),
    outcome: text("outcome").notNull(),
    targetUserId: text("target_user_id"),
    targetConnectionId: text("target_connection_id"),
    targetJobId: text("target_job_id"),
    correlationId: text("correlation_id"),
    ip: text("ip"),
    userAgent: text("user_agent"),
    details: jsonb("details").$type<Record<string, unknown>>(),
  },
  (t) => [
    index("audit_events_occurred_idx").on(t.occurredAt.desc(), t.id.desc()),
    index("audit_events_action_idx").on(t.action, t.occurredAt.desc()),
    index("audit_events_actor_idx").on(t.actorId, t.occurredAt.desc()),
    index("audit_events_target_user_idx").on(t.targetUserId),
  ],
);

export const connectionStatusRank = ["none", "active", "pre-init", "pending", "invalid"] as const;
export type WorstConnectionStatus = (typeof connectionStatusRank)[number];

export interface ConnectionSummary {
  id: string;
  status: string;
  method: string | null;
  institutionId: string | null;
  institutionName: string | null;
}

/**
 * The directory of Basiq users (Basiq has no list-users endpoint). Personal fields are AES-256-GCM ciphertext;
 * search goes through HMAC blind indexes (email, mobile here; name words in basiq_user_name_words).
 */
export const basiqUsers = pgTable(
  "basiq_users",
  {
    id: text("id").primaryKey(),
    emailEnc: text("email_enc"),
    emailIdx: text("email_idx"),
    mobileEnc: text("mobile_enc"),
    mobileIdx: text("mobile_idx"),
    nameEnc: text("name_enc"),
    connectionCount: integer("connection_count").notNull().default(0),
    worstConnectionStatus: text("worst_connection_status").$type<WorstConnectionStatus>().notNull().default("none"),
    institutionIds: text("institution_ids").array().notNull().default(sql`'{}'::text[]`),
    connectionStatuses: text("connection_statuses").array().notNull().default(sql`'{}'::text[]`),
    connections: jsonb("connections").$type<ConnectionSummary[]>().notNull().default(sql`'[]'::jsonb`),
    source: text("source").notNull(),
    firstSeenAt: timestamp("first_seen_at", { withTimezone: true }).notNull().defaultNow(),
    lastSyncedAt: timestamp("last_synced_at", { withTimezone: true }),
    deletedAt: timestamp("deleted_at", { withTimezone: true }),
    /**
     * Set when the user's consent was revoked or expired, or the user was deleted (lib/consents/deidentify.ts): the
     * personal fields and their blind indexes are erased and are never written again for this user.
     */
    deidentifiedAt: timestamp("deidentified_at", { withTimezone: true }),
    /** The event that caused it, e.g. `consent.revoked`. */
    deidentifiedBy: text("deidentified_by"),
  },
  (t) => [
    index("basiq_users_id_prefix_idx").using("btree", sql`${t.id} text_pattern_ops`),
    index("basiq_users_email_idx").on(t.emailIdx),
    index("basiq_users_mobile_idx").on(t.mobileIdx),
    index("basiq_users_status_idx").on(t.worstConnectionStatus, t.id),
    index("basiq_users_connection_statuses_idx").using("gin", t.connectionStatuses),
    index("basiq_users_institutions_idx").using("gin", t.institutionIds),
    // A connection id typed in the search box finds its user (`connections @> '[{"id": …}]'`).
    index("basiq_users_connections_idx").using("gin", sql`${t.connections} jsonb_path_ops`),
    // Each list order walks its own index, so a page costs pageSize rows however large the directory is.
    index("basiq_users_synced_idx").on(t.lastSyncedAt.desc().nullsLast(), t.id),
    index("basiq_users_connections_sort_idx").on(t.connectionCount.desc(), t.id),
    index("basiq_users_status_sort_idx").using(
      "btree",
      sql`array_position(array['invalid','pending','pre-init','active','none']::text[], ${t.worstConnectionStatus})`,
      t.id,
    ),
  ],
);

/** One row per (name word, user): exact-word name search over encrypted names. */
export const basiqUserNameWords = pgTable(
  "basiq_user_name_words",
  {
    wordIdx: text("word_idx").notNull(),
    userId: text("user_id")
      .notNull()
      .references(() => basiqUsers.id, { onDelete: "cascade" }),
  },
  (t) => [primaryKey({ columns: [t.wordIdx, t.userId] }), index("basiq_user_name_words_user_idx").on(t.userId)],
);

/**
 * Blind indexes of name-word prefixes (3 to 10 characters, HMAC purpose "name-prefix", so they can never be
 * matched against the whole-word indexes above): "oli" finds Olivia and Oliver without storing any plaintext.
 * Filled by recordDirectoryUser and, for rows written before it existed, by lib/directory/name-prefixes.ts.
 */
export const basiqUserNamePrefixes = pgTable(
  "basiq_user_name_prefixes",
  {
    prefixIdx: text("prefix_idx").notNull(),
    userId: text("user_id")
      .notNull()
      .references(() => basiqUsers.id, { onDelete: "cascade" }),
  },
  (t) => [primaryKey({ columns: [t.prefixIdx, t.userId] }), index("basiq_user_name_prefixes_user_idx").on(t.userId)],
);

/** Cursors of background readers (e.g. the Basiq events feed). */
export const syncCursors = pgTable("sync_cursors", {
  name: text("name").primaryKey(),
  cursor: text("cursor"),
  updatedAt: timestamp("updated_at", { withTimezone: true }).notNull().defaultNow(),
});

/**
 * Basiq events already processed, by event id: the events sync reads the feed with a `>=` cursor (dates have
 * second resolution) and skips what is here, so every event is handled exactly once. Shared with a future webhook
 * receiver (`source`), which gets the same event ids.
 */
export const basiqEventLedger = pgTable(
  "basiq_event_ledger",
  {
    eventId: text("event_id").primaryKey(),
    /** e.g. `consent.revoked`. */
    type: text("type").notNull(),
    userId: text("user_id"),
    /** The event's createdDate at Basiq. */
    createdAt: timestamp("created_at", { withTimezone: true }).notNull(),
    /** Who processed it: `events-sync` (later also `webhook`). */
    source: text("source").notNull(),
    processedAt: timestamp("processed_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [index("basiq_event_ledger_created_idx").on(t.createdAt)],
);

export interface StoredJobStep {
  title: string | null;
  status: string | null;
  result: { code?: string; title?: string; detail?: string; url?: string } | null;
}

/**
 * Job history kept beyond Basiq's own window (and readable while Basiq is down): ids, steps, outcome and the
 * failure. No account or transaction data. Upserted by job id, so re-reading a job never duplicates it.
 */
export const jobRuns = pgTable(
  "job_runs",
  {
    id: text("id").primaryKey(),
    userId: text("user_id").notNull(),
    connectionId: text("connection_id"),
    institutionId: text("institution_id"),
    outcome: text("outcome").notNull(),
    failedStep: text("failed_step"),
    errorCode: text("error_code"),
    errorTitle: text("error_title"),
    errorDetail: text("error_detail"),
    errorUrl: text("error_url"),
    steps: jsonb("steps").$type<StoredJobStep[]>().notNull().default(sql`'[]'::jsonb`),
    createdAt: timestamp("created_at", { withTimezone: true }),
    updatedAt: timestamp("updated_at", { withTimezone: true }),
    firstSeenAt: timestamp("first_seen_at", { withTimezone: true }).notNull().defaultNow(),
    lastSeenAt: timestamp("last_seen_at", { withTimezone: true }).notNull().defaultNow(),
    /** The sweep run that first stored this job (null when first seen by a page view). */
    firstSeenSweepId: bigint("first_seen_sweep_id", { mode: "number" }),
    /** When the failure was logged: set once, by whichever reader first stored the job as failed. */
    failureLoggedAt: timestamp("failure_logged_at", { withTimezone: true }),
  },
  (t) => [
    index("job_runs_outcome_created_idx").on(t.outcome, t.createdAt.desc(), t.id),
    index("job_runs_user_idx").on(t.userId, t.createdAt.desc()),
    index("job_runs_connection_idx").on(t.connectionId, t.createdAt.desc()),
    index("job_runs_error_code_idx").on(t.errorCode, t.createdAt.desc()),
    index("job_runs_institution_idx").on(t.institutionId, t.createdAt.desc()),
  ],
);

/** One row per job sweep: what it checked and found. `cursor` (the last user id done) lets a crashed run resume. */
export const sweepRuns = pgTable(
  "sweep_runs",
  {
    id: bigserial("id", { mode: "number" }).primaryKey(),
    trigger: text("trigger").notNull(),
    status: text("status").notNull(),
    startedAt: timestamp("started_at", { withTimezone: true }).notNull().defaultNow(),
    finishedAt: timestamp("finished_at", { withTimezone: true }),
    usersTotal: integer("users_total").notNull().default(0),
    usersChecked: integer("users_checked").notNull().default(0),
    jobsNew: integer("jobs_new").notNull().default(0),
    jobsUpdated: integer("jobs_updated").notNull().default(0),
    newFailures: integer("new_failures").notNull().default(0),
    errors: integer("errors").notNull().default(0),
    /** Users claimed by a process that died before their check was recorded (drizzle/0016): checked first next time. */
    usersUnconfirmed: integer("users_unconfirmed").notNull().default(0),
    cursor: text("cursor"),
    resumedFrom: bigint("resumed_from", { mode: "number" }),
    message: text("message"),
  },
  (t) => [index("sweep_runs_started_idx").on(t.startedAt.desc())],
);

/** A sweep's slice of the directory (ids after `afterId` up to `lastId`): one job-engine job (drizzle/0010). */
export const sweepBatches = pgTable(
  "sweep_batches",
  {
    sweepId: bigint("sweep_id", { mode: "number" }).notNull(),
    batchNo: integer("batch_no").notNull(),
    afterId: text("after_id").notNull(),
    lastId: text("last_id").notNull(),
    usersTotal: integer("users_total").notNull(),
    cursor: text("cursor"),
    status: text("status").notNull().default("pending"),
    attempt: integer("attempt").notNull().default(0),
    instanceId: text("instance_id"),
    usersChecked: integer("users_checked").notNull().default(0),
    usersNotFound: integer("users_not_found").notNull().default(0),
    jobsNew: integer("jobs_new").notNull().default(0),
    jobsUpdated: integer("jobs_updated").notNull().default(0),
    newFailures: integer("new_failures").notNull().default(0),
    errors: integer("errors").notNull().default(0),
    updatedAt: timestamp("updated_at", { withTimezone: true }).notNull().defaultNow(),
    usersUnconfirmed: integer("users_unconfirmed").notNull().default(0),
  },
  (t) => [primaryKey({ name: "sweep_batches_pk", columns: [t.sweepId, t.batchNo] })],
);

/**
 * One row per sweep and user, inserted (ON CONFLICT DO NOTHING) before the user's jobs call and given its result
 * right after (drizzle/0016): a user is called at most once per sweep across instances. `result` null after the
 * run = claimed by a process that died before recording it (unconfirmed).
 */
export const sweepClaims = pgTable(
  "sweep_claims",
  {
    sweepId: bigint("sweep_id", { mode: "number" }).notNull(),
    userId: text("user_id").notNull(),
    batchNo: integer("batch_no").notNull(),
    lease: integer("lease").notNull(),
    instanceId: text("instance_id").notNull(),
    /** "checked" | "not_found" | "error"; null = claimed, no result recorded. */
    result: text("result"),
  },
  (t) => [primaryKey({ name: "sweep_claims_pk", columns: [t.sweepId, t.userId] })],
);

/** Users checked per instance in a sweep (drizzle/0010). */
export const sweepShares = pgTable(
  "sweep_shares",
  {
    sweepId: bigint("sweep_id", { mode: "number" }).notNull(),
    instanceId: text("instance_id").notNull(),
    usersChecked: integer("users_checked").notNull().default(0),
  },
  (t) => [primaryKey({ name: "sweep_shares_pk", columns: [t.sweepId, t.instanceId] })],
);

/** Latest known state of each Basiq connector (institution × method), refreshed from GET /connectors. */
export const connectors = pgTable(
  "connectors",
  {
    id: text("id").notNull(),
    method: text("method").notNull(),
    name: text("name").notNull(),
    shortName: text("short_name"),
    logoUrl: text("logo_url"),
    institutionType: text("institution_type"),
    tier: text("tier"),
    stage: text("stage"),
    status: text("status").notNull(),
    authorizationType: text("authorization_type"),
    scopes: jsonb("scopes").$type<string[]>().notNull().default(sql`'[]'::jsonb`),
    averageDurationMs: jsonb("average_duration_ms").$type<Record<string, number>>(),
    fetchedAt: timestamp("fetched_at", { withTimezone: true }).notNull().defaultNow(),
    statusSince: timestamp("status_since", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.id, t.method] }), index("connectors_status_idx").on(t.status)],
);

/** Each observed change of a connector's status (and its first sighting). */
export const connectorStatusHistory = pgTable(
  "connector_status_history",
  {
    id: bigserial("id", { mode: "number" }).primaryKey(),
    connectorId: text("connector_id").notNull(),
    method: text("method").notNull(),
    status: text("status").notNull(),
    previousStatus: text("previous_status"),
    stage: text("stage"),
    observedAt: timestamp("observed_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [index("connector_status_history_idx").on(t.connectorId, t.method, t.observedAt.desc())],
);

/**
 * Purges of a connection's data at Basiq. At most one "in-progress" row per connection (partial unique index):
 * concurrent submissions wait for that row's outcome instead of calling Basiq again.
 */
export const purgeOperations = pgTable(
  "purge_operations",
  {
    id: bigserial("id", { mode: "number" }).primaryKey(),
    userId: text("user_id").notNull(),
    connectionId: text("connection_id").notNull(),
    requestedBy: uuid("requested_by").notNull(),
    status: text("status").notNull(), // in-progress | succeeded | failed | unknown
    basiqStatus: integer("basiq_status"),
    correlationId: text("correlation_id"),
    message: text("message"),
    startedAt: timestamp("started_at", { withTimezone: true }).notNull().defaultNow(),
    finishedAt: timestamp("finished_at", { withTimezone: true }),
    /** The server process running it (lib/db/instance.ts): a row left in progress by a dead process is recovered. */
    instanceId: text("instance_id"),
  },
  (t) => [
    uniqueIndex("purge_operations_one_in_progress").on(t.connectionId).where(sql`${t.status} = 'in-progress'`),
    index("purge_operations_connection_idx").on(t.connectionId, t.startedAt.desc()),
  ],
);

/** Ad-hoc refreshes we asked Basiq for: the open-banking budget (20 a day per connection) is counted here. */
export const refreshLog = pgTable(
  "refresh_log",
  {
    id: bigserial("id", { mode: "number" }).primaryKey(),
    userId: text("user_id").notNull(),
    connectionId: text("connection_id").notNull(),
    method: text("method"),
    requestedBy: uuid("requested_by").notNull(),
    requestedAt: timestamp("requested_at", { withTimezone: true }).notNull().defaultNow(),
    outcome: text("outcome").notNull(), // pending | started | joined (a job was already running) | refused-budget | refused-basiq | failed | unknown
    jobId: text("job_id"),
    correlationId: text("correlation_id"),
  },
  (t) => [index("refresh_log_connection_idx").on(t.connectionId, t.requestedAt.desc())],
);

/**
 * Per-person counters in fixed windows (lib/security/quota.ts): exact-contact searches per minute, reveals per day.
 * One row per (subject, bucket, window start), incremented and read back in one statement.
 */
export const securityQuotas = pgTable(
  "security_quotas",
  {
    subject: text("subject").notNull(),
    bucket: text("bucket").notNull(),
    windowStart: timestamp("window_start", { withTimezone: true }).notNull(),
    count: integer("count").notNull().default(0),
  },
  (t) => [primaryKey({ columns: [t.subject, t.bucket, t.windowStart] }), index("security_quotas_window_idx").on(t.windowStart)],
);

/**
 * Saved views of the list pages: a named set of filters, kept per staff member. `params` is the list's query
 * string as the list kit writes it (parsed again by the list's own schema whenever it is opened).
 */
export const savedViews = pgTable(
  "saved_views",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    staffId: uuid("staff_id")
      .notNull()
      .references(() => staff.id, { onDelete: "cascade" }),
    list: text("list").notNull(),
    name: text("name").notNull(),
    params: text("params").notNull(),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [uniqueIndex("saved_views_staff_list_name_idx").on(t.staffId, t.list, t.name)],
);

/**
 * CDR consents as last read from Basiq (GET /users/{userId}/consents), by the user page, the consent events and the
 * sweep (lib/consents/store.ts): the /consents page lists the active ones expiring soon. No personal data.
 */
export const consents = pgTable(
  "consents",
  {
    id: text("id").primaryKey(),
    userId: text("user_id").notNull(),
    status: text("status"),
    createdAt: timestamp("created_at", { withTimezone: true }),
    expiresAt: timestamp("expires_at", { withTimezone: true }),
    revokedAt: timestamp("revoked_at", { withTimezone: true }),
    purpose: text("purpose"),
    /** Permission scopes, e.g. `bank:transactions:read`. */
    scopes: text("scopes").array().notNull().default(sql`'{}'::text[]`),
    lastSeenAt: timestamp("last_seen_at", { withTimezone: true }).notNull().defaultNow(),
    /** Who last read it: `page`, `event`, `sweep`. */
    source: text("source").notNull(),
  },
  (t) => [index("consents_expiry_idx").on(t.status, t.expiresAt), index("consents_user_idx").on(t.userId)],
);

/**
 * Revocations of a consent at Basiq (admin only, DELETE /users/{userId}/consents/{consentId}). At most one row per
 * consent that is in progress or succeeded (partial unique index): one Basiq call however many submissions arrive.
 */
export const consentRevocations = pgTable(
  "consent_revocations",
  {
    id: bigserial("id", { mode: "number" }).primaryKey(),
    userId: text("user_id").notNull(),
    consentId: text("consent_id").notNull(),
    requestedBy: uuid("requested_by").notNull(),
    status: text("status").notNull(), // in-progress | succeeded | failed | unknown
    basiqStatus: integer("basiq_status"),
    correlationId: text("correlation_id"),
    startedAt: timestamp("started_at", { withTimezone: true }).notNull().defaultNow(),
    finishedAt: timestamp("finished_at", { withTimezone: true }),
  },
  (t) => [
    uniqueIndex("consent_revocations_one_call").on(t.consentId).where(sql`${t.status} in ('in-progress', 'succeeded', 'unknown')`),
  ],
);

/**
 * Machine API keys for the partner's back end (POST /api/v1/users/{userId}/check). Only a SHA-256 hash of the key
 * is stored; `prefix` (the first characters) lets a person recognise it. Scoped: `user-check` is the only scope.
 */
export const apiKeys = pgTable(
  "api_keys",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    name: text("name").notNull(),
    prefix: text("prefix").notNull(),
    keyHash: text("key_hash").notNull(),
    scope: text("scope").notNull(),
    createdBy: uuid("created_by").notNull(),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
    lastUsedAt: timestamp("last_used_at", { withTimezone: true }),
    revokedAt: timestamp("revoked_at", { withTimezone: true }),
  },
  (t) => [uniqueIndex("api_keys_hash_idx").on(t.keyHash)],
);

/**
 * Basiq webhook deliveries that passed signature verification (issue 17 §1), one row per `webhook-id`: stored
 * before the 2xx, processed after (lib/webhooks/process.ts). Refused deliveries are never stored, only counted.
 * No body is kept: Basiq's payload is thin (`eventTypeId`, `eventId`, `links`), and those are read out here.
 */
export const webhookDeliveries = pgTable(
  "webhook_deliveries",
  {
    /** The `webhook-id` header: Basiq's message id, the same on every retry of one message. */
    id: text("id").primaryKey(),
    receivedAt: timestamp("received_at", { withTimezone: true }).notNull().defaultNow(),
    /** The `webhook-timestamp` header (when Basiq signed this attempt). */
    signedAt: timestamp("signed_at", { withTimezone: true }).notNull(),
    eventTypeId: text("event_type_id"),
    eventId: text("event_id"),
    /** received → processed | duplicate | ignored | failed (failed rows are retried). */
    status: text("status").notNull().default("received"),
    /** This delivery claimed its event id in basiq_event_ledger (so a restart finishes the work, never skips it). */
    claimed: boolean("claimed").notNull().default(false),
    attempts: integer("attempts").notNull().default(0),
    /** Times the same webhook-id arrived again after the first. */
    resends: integer("resends").notNull().default(0),
    processedAt: timestamp("processed_at", { withTimezone: true }),
    /** The instance processing it right now (lib/db/instance.ts), and until when that lease holds. */
    lockedBy: text("locked_by"),
    lockedUntil: timestamp("locked_until", { withTimezone: true }),
    /** Why processing failed or was skipped: a short code and message, never a stack trace. */
    detail: text("detail"),
  },
  (t) => [
    index("webhook_deliveries_received_idx").on(t.receivedAt),
    index("webhook_deliveries_pending_idx").on(t.status).where(sql`${t.processedAt} is null`),
  ],
);

// Alerts (lib/alerts): channels, rules, incidents (one open per rule and dedupe key), deliveries (one per incident,
// channel and event), and the users/connections support watch.

/** Where notifications go. `target` is ciphertext (lib/crypto): a Slack-compatible webhook URL or e-mail recipients. */
export const alertChannels = pgTable("alert_channels", {
  id: bigserial("id", { mode: "number" }).primaryKey(),
  name: text("name").notNull(),
  kind: text("kind").notNull(),
  target: text("target").notNull(),
  /** Safe to show: the webhook's host, or how many recipients. */
  hint: text("hint").notNull(),
  enabled: boolean("enabled").notNull().default(true),
  createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
});

export const alertRules = pgTable("alert_rules", {
  id: bigserial("id", { mode: "number" }).primaryKey(),
  name: text("name").notNull(),
  kind: text("kind").notNull(),
  params: jsonb("params").$type<Record<string, unknown>>().notNull().default(sql`'{}'::jsonb`),
  channelIds: jsonb("channel_ids").$type<number[]>().notNull().default(sql`'[]'::jsonb`),
  enabled: boolean("enabled").notNull().default(true),
  createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
});

export const alertIncidents = pgTable(
  "alert_incidents",
  {
    id: bigserial("id", { mode: "number" }).primaryKey(),
    ruleId: bigint("rule_id", { mode: "number" }).notNull(),
    dedupeKey: text("dedupe_key").notNull(),
    status: text("status").notNull().default("open"),
    summary: text("summary").notNull(),
    openedAt: timestamp("opened_at", { withTimezone: true }).notNull().defaultNow(),
    resolvedAt: timestamp("resolved_at", { withTimezone: true }),
  },
  (t) => [
    uniqueIndex("alert_incidents_open_idx").on(t.ruleId, t.dedupeKey).where(sql`status = 'open'`),
    index("alert_incidents_opened_idx").on(t.openedAt.desc()),
  ],
);

export const alertDeliveries = pgTable(
  "alert_deliveries",
  {
    id: bigserial("id", { mode: "number" }).primaryKey(),
    incidentId: bigint("incident_id", { mode: "number" }).notNull(),
    channelId: bigint("channel_id", { mode: "number" }).notNull(),
    event: text("event").notNull(),
    status: text("status").notNull().default("pending"),
    attempts: integer("attempts").notNull().default(0),
    lastError: text("last_error"),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
    sentAt: timestamp("sent_at", { withTimezone: true }),
  },
  (t) => [uniqueIndex("alert_deliveries_once_idx").on(t.incidentId, t.channelId, t.event)],
);

/** A user (connectionId '') or one connection support asked to be alerted about. */
export const alertWatches = pgTable(
  "alert_watches",
  {
    id: bigserial("id", { mode: "number" }).primaryKey(),
    userId: text("user_id").notNull(),
    connectionId: text("connection_id").notNull().default(""),
    createdBy: uuid("created_by"),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [uniqueIndex("alert_watches_once_idx").on(t.userId, t.connectionId)],
);
