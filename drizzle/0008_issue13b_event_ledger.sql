CREATE TABLE "basiq_event_ledger" (
	"event_id" text PRIMARY KEY NOT NULL,
	"type" text NOT NULL,
	"user_id" text,
	"created_at" timestamp with time zone NOT NULL,
	"source" text NOT NULL,
	"processed_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE INDEX "basiq_event_ledger_created_idx" ON "basiq_event_ledger" USING btree ("created_at");