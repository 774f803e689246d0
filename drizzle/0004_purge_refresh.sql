CREATE TABLE "purge_operations" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"user_id" text NOT NULL,
	"connection_id" text NOT NULL,
	"requested_by" uuid NOT NULL,
	"status" text NOT NULL,
	"basiq_status" integer,
	"correlation_id" text,
	"message" text,
	"started_at" timestamp with time zone DEFAULT now() NOT NULL,
	"finished_at" timestamp with time zone
);
--> statement-breakpoint
CREATE TABLE "refresh_log" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"user_id" text NOT NULL,
	"connection_id" text NOT NULL,
	"method" text,
	"requested_by" uuid NOT NULL,
	"requested_at" timestamp with time zone DEFAULT now() NOT NULL,
	"outcome" text NOT NULL,
	"job_id" text,
	"correlation_id" text
);
--> statement-breakpoint
CREATE UNIQUE INDEX "purge_operations_one_in_progress" ON "purge_operations" USING btree ("connection_id") WHERE "purge_operations"."status" = 'in-progress';--> statement-breakpoint
CREATE INDEX "purge_operations_connection_idx" ON "purge_operations" USING btree ("connection_id","started_at" DESC NULLS LAST);--> statement-breakpoint
CREATE INDEX "refresh_log_connection_idx" ON "refresh_log" USING btree ("connection_id","requested_at" DESC NULLS LAST);