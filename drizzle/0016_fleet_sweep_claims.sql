-- Exactly once per sweep across instances: a user's GET /users/{id}/jobs is claimed (one row per sweep and user,
-- inserted with ON CONFLICT DO NOTHING) before it is called, and its result is recorded on that row right after.
-- A batch taken over from a dead worker skips every user claimed in the sweep; claims left without a result by a
-- process that died are counted as unconfirmed in the run's record and the next sweep checks those users first.
CREATE TABLE "sweep_claims" (
	"sweep_id" bigint NOT NULL REFERENCES "sweep_runs"("id") ON DELETE CASCADE,
	"user_id" text NOT NULL,
	"batch_no" integer NOT NULL,
	"lease" integer NOT NULL,
	"instance_id" text NOT NULL,
	"result" text,
	CONSTRAINT "sweep_claims_pk" PRIMARY KEY ("sweep_id", "user_id")
);
--> statement-breakpoint
ALTER TABLE "sweep_batches" ADD COLUMN "users_unconfirmed" integer DEFAULT 0 NOT NULL;
--> statement-breakpoint
ALTER TABLE "sweep_runs" ADD COLUMN "users_unconfirmed" integer DEFAULT 0 NOT NULL;
