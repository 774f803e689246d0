CREATE TABLE "webhook_deliveries" (
	"id" text PRIMARY KEY NOT NULL,
	"received_at" timestamp with time zone DEFAULT now() NOT NULL,
	"signed_at" timestamp with time zone NOT NULL,
	"event_type_id" text,
	"event_id" text,
	"status" text DEFAULT 'received' NOT NULL,
	"claimed" boolean DEFAULT false NOT NULL,
	"attempts" integer DEFAULT 0 NOT NULL,
	"resends" integer DEFAULT 0 NOT NULL,
	"processed_at" timestamp with time zone,
	"locked_by" text,
	"locked_until" timestamp with time zone,
	"detail" text
);
--> statement-breakpoint
CREATE INDEX "webhook_deliveries_received_idx" ON "webhook_deliveries" USING btree ("received_at");--> statement-breakpoint
CREATE INDEX "webhook_deliveries_pending_idx" ON "webhook_deliveries" USING btree ("status") WHERE "webhook_deliveries"."processed_at" is null;