-- The sweep fans out over the job engine (pg-boss): a sweep is split into batches of the directory (by id range),
-- each a job any instance may take. A batch's cursor is its checkpoint (every user up to it is checked and their
-- jobs stored); `attempt` is the lease of the worker holding it (a retried batch bumps it, and the old worker's
-- writes stop matching). sweep_shares: users checked per instance, for the sweep record.
UPDATE "sweep_runs" SET "status" = 'failed', "message" = 'interrupted: superseded by a newer running sweep', "finished_at" = now()
WHERE "status" = 'running' AND "id" < (SELECT max("id") FROM "sweep_runs" WHERE "status" = 'running');
--> statement-breakpoint
CREATE UNIQUE INDEX "sweep_runs_one_running" ON "sweep_runs" ("status") WHERE "status" = 'running';
--> statement-breakpoint
CREATE TABLE "sweep_batches" (
	"sweep_id" bigint NOT NULL REFERENCES "sweep_runs"("id") ON DELETE CASCADE,
	"batch_no" integer NOT NULL,
	"after_id" text NOT NULL,
	"last_id" text NOT NULL,
	"users_total" integer NOT NULL,
	"cursor" text,
	"status" text DEFAULT 'pending' NOT NULL,
	"attempt" integer DEFAULT 0 NOT NULL,
	"instance_id" text,
	"users_checked" integer DEFAULT 0 NOT NULL,
	"users_not_found" integer DEFAULT 0 NOT NULL,
	"jobs_new" integer DEFAULT 0 NOT NULL,
	"jobs_updated" integer DEFAULT 0 NOT NULL,
	"new_failures" integer DEFAULT 0 NOT NULL,
	"errors" integer DEFAULT 0 NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "sweep_batches_pk" PRIMARY KEY ("sweep_id", "batch_no")
);
--> statement-breakpoint
CREATE TABLE "sweep_shares" (
	"sweep_id" bigint NOT NULL REFERENCES "sweep_runs"("id") ON DELETE CASCADE,
	"instance_id" text NOT NULL,
	"users_checked" integer DEFAULT 0 NOT NULL,
	CONSTRAINT "sweep_shares_pk" PRIMARY KEY ("sweep_id", "instance_id")
);
