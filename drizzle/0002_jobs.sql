CREATE TABLE "job_runs" (
	"id" text PRIMARY KEY NOT NULL,
	"user_id" text NOT NULL,
	"connection_id" text,
	"institution_id" text,
	"outcome" text NOT NULL,
	"failed_step" text,
	"error_code" text,
	"error_title" text,
	"error_detail" text,
	"error_url" text,
	"steps" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"created_at" timestamp with time zone,
	"updated_at" timestamp with time zone,
	"first_seen_at" timestamp with time zone DEFAULT now() NOT NULL,
	"last_seen_at" timestamp with time zone DEFAULT now() NOT NULL,
	"first_seen_sweep_id" bigint
);
--> statement-breakpoint
CREATE TABLE "sweep_runs" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"trigger" text NOT NULL,
	"status" text NOT NULL,
	"started_at" timestamp with time zone DEFAULT now() NOT NULL,
	"finished_at" timestamp with time zone,
	"users_total" integer DEFAULT 0 NOT NULL,
	"users_checked" integer DEFAULT 0 NOT NULL,
	"jobs_new" integer DEFAULT 0 NOT NULL,
	"jobs_updated" integer DEFAULT 0 NOT NULL,
	"new_failures" integer DEFAULT 0 NOT NULL,
	"errors" integer DEFAULT 0 NOT NULL,
	"cursor" text,
	"resumed_from" bigint,
	"message" text
);
--> statement-breakpoint
CREATE INDEX "job_runs_outcome_created_idx" ON "job_runs" USING btree ("outcome","created_at" DESC NULLS LAST,"id");--> statement-breakpoint
CREATE INDEX "job_runs_user_idx" ON "job_runs" USING btree ("user_id","created_at" DESC NULLS LAST);--> statement-breakpoint
CREATE INDEX "job_runs_connection_idx" ON "job_runs" USING btree ("connection_id","created_at" DESC NULLS LAST);--> statement-breakpoint
CREATE INDEX "job_runs_error_code_idx" ON "job_runs" USING btree ("error_code","created_at" DESC NULLS LAST);--> statement-breakpoint
CREATE INDEX "job_runs_institution_idx" ON "job_runs" USING btree ("institution_id","created_at" DESC NULLS LAST);--> statement-breakpoint
CREATE INDEX "sweep_runs_started_idx" ON "sweep_runs" USING btree ("started_at" DESC NULLS LAST);