CREATE TYPE "public"."staff_role" AS ENUM('staff', 'support', 'admin');--> statement-breakpoint
CREATE TYPE "public"."staff_status" AS ENUM('active', 'disabled');--> statement-breakpoint
CREATE TABLE "audit_events" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"occurred_at" timestamp with time zone DEFAULT now() NOT NULL,
	"actor_id" uuid,
	"actor_email" text,
	"actor_role" text,
	"action" text NOT NULL,
	"outcome" text NOT NULL,
	"target_user_id" text,
	"target_connection_id" text,
	"target_job_id" text,
	"correlation_id" text,
	"ip" text,
	"user_agent" text,
	"details" jsonb
);
--> statement-breakpoint
CREATE TABLE "basiq_user_name_words" (
	"word_idx" text NOT NULL,
	"user_id" text NOT NULL,
	CONSTRAINT "basiq_user_name_words_word_idx_user_id_pk" PRIMARY KEY("word_idx","user_id")
);
--> statement-breakpoint
CREATE TABLE "basiq_users" (
	"id" text PRIMARY KEY NOT NULL,
	"email_enc" text,
	"email_idx" text,
	"mobile_enc" text,
	"mobile_idx" text,
	"name_enc" text,
	"connection_count" integer DEFAULT 0 NOT NULL,
	"worst_connection_status" text DEFAULT 'none' NOT NULL,
	"institution_ids" text[] DEFAULT '{}'::text[] NOT NULL,
	"connection_statuses" text[] DEFAULT '{}'::text[] NOT NULL,
	"connections" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"source" text NOT NULL,
	"first_seen_at" timestamp with time zone DEFAULT now() NOT NULL,
	"last_synced_at" timestamp with time zone,
	"deleted_at" timestamp with time zone
);
--> statement-breakpoint
CREATE TABLE "sign_in_throttle" (
	"key" text PRIMARY KEY NOT NULL,
	"failures" integer DEFAULT 0 NOT NULL,
	"window_started_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "staff" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"email" text NOT NULL,
	"name" text NOT NULL,
	"role" "staff_role" NOT NULL,
	"status" "staff_status" DEFAULT 'active' NOT NULL,
	"password_hash" text,
	"is_demo" boolean DEFAULT false NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	"last_sign_in_at" timestamp with time zone,
	CONSTRAINT "staff_email_unique" UNIQUE("email")
);
--> statement-breakpoint
CREATE TABLE "sync_cursors" (
	"name" text PRIMARY KEY NOT NULL,
	"cursor" text,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "basiq_user_name_words" ADD CONSTRAINT "basiq_user_name_words_user_id_basiq_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."basiq_users"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "audit_events_occurred_idx" ON "audit_events" USING btree ("occurred_at" DESC NULLS LAST,"id" DESC NULLS LAST);--> statement-breakpoint
CREATE INDEX "audit_events_action_idx" ON "audit_events" USING btree ("action","occurred_at" DESC NULLS LAST);--> statement-breakpoint
CREATE INDEX "audit_events_actor_idx" ON "audit_events" USING btree ("actor_id","occurred_at" DESC NULLS LAST);--> statement-breakpoint
CREATE INDEX "audit_events_target_user_idx" ON "audit_events" USING btree ("target_user_id");--> statement-breakpoint
CREATE INDEX "basiq_user_name_words_user_idx" ON "basiq_user_name_words" USING btree ("user_id");--> statement-breakpoint
CREATE INDEX "basiq_users_id_prefix_idx" ON "basiq_users" USING btree ("id" text_pattern_ops);--> statement-breakpoint
CREATE INDEX "basiq_users_email_idx" ON "basiq_users" USING btree ("email_idx");--> statement-breakpoint
CREATE INDEX "basiq_users_mobile_idx" ON "basiq_users" USING btree ("mobile_idx");--> statement-breakpoint
CREATE INDEX "basiq_users_status_idx" ON "basiq_users" USING btree ("worst_connection_status","id");--> statement-breakpoint
CREATE INDEX "basiq_users_connection_statuses_idx" ON "basiq_users" USING gin ("connection_statuses");--> statement-breakpoint
CREATE INDEX "basiq_users_institutions_idx" ON "basiq_users" USING gin ("institution_ids");--> statement-breakpoint
CREATE INDEX "basiq_users_synced_idx" ON "basiq_users" USING btree ("last_synced_at" DESC NULLS LAST,"id");