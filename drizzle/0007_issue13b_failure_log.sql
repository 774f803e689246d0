ALTER TABLE "job_runs" ADD COLUMN "failure_logged_at" timestamp with time zone;--> statement-breakpoint
-- Failures stored before this column existed were already counted as new by the run that stored them.
UPDATE "job_runs" SET "failure_logged_at" = "first_seen_at" WHERE "outcome" = 'failed';
