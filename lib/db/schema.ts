// Drizzle schema: the tables the console owns. Migrations in drizzle/ are generated from this file
// (npm run db:generate). We never store Basiq tokens, the API key, accounts or transactions.
import { sql } from "drizzle-orm";
import {
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
  uuid,
} from "drizzle-orm/pg-core";

export const staffRole = pgEnum("staff_role", ["staff", "support", "admin"]);
export const staffStatus = pgEnum("staff_status", ["active", "disabled"]);

/** People who sign in to the console. Staff e-mails are work identities, kept in clear for sign-in. */
export const staff = pgTable("staff", {
  id: uuid("id").primaryKey().defaultRandom(),
  email: text("email").notNull().unique(),
  name: text("name").notNull(),
  role: staffRole("role").notNull(),
  status: staffStatus("status").notNull().default("active"),
  passwordHash: text("password_hash"),
  isDemo: boolean("is_demo").notNull().default(false),
  createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
  updatedAt: timestamp("updated_at", { withTimezone: true }).notNull().defaultNow(),
  lastSignInAt: timestamp("last_sign_in_at", { withTimezone: true }),
});

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
  },
  (t) => [
    index("basiq_users_id_prefix_idx").using("btree", sql`${t.id} text_pattern_ops`),
    index("basiq_users_email_idx").on(t.emailIdx),
    index("basiq_users_mobile_idx").on(t.mobileIdx),
    index("basiq_users_status_idx").on(t.worstConnectionStatus, t.id),
    index("basiq_users_connection_statuses_idx").using("gin", t.connectionStatuses),
    index("basiq_users_institutions_idx").using("gin", t.institutionIds),
    index("basiq_users_synced_idx").on(t.lastSyncedAt.desc(), t.id),
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

/** Cursors of background readers (e.g. the Basiq events feed). */
export const syncCursors = pgTable("sync_cursors", {
  name: text("name").primaryKey(),
  cursor: text("cursor"),
  updatedAt: timestamp("updated_at", { withTimezone: true }).notNull().defaultNow(),
});
