CREATE TABLE "security_quotas" (
	"subject" text NOT NULL,
	"bucket" text NOT NULL,
	"window_start" timestamp with time zone NOT NULL,
	"count" integer DEFAULT 0 NOT NULL,
	CONSTRAINT "security_quotas_subject_bucket_window_start_pk" PRIMARY KEY("subject","bucket","window_start")
);
--> statement-breakpoint
ALTER TABLE "purge_operations" ADD COLUMN "instance_id" text;--> statement-breakpoint
ALTER TABLE "staff" ADD COLUMN "password_expires_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "staff" ADD COLUMN "password_change_required" boolean DEFAULT false NOT NULL;--> statement-breakpoint
CREATE INDEX "security_quotas_window_idx" ON "security_quotas" USING btree ("window_start");