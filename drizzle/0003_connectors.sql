CREATE TABLE "connector_status_history" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"connector_id" text NOT NULL,
	"method" text NOT NULL,
	"status" text NOT NULL,
	"previous_status" text,
	"stage" text,
	"observed_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "connectors" (
	"id" text NOT NULL,
	"method" text NOT NULL,
	"name" text NOT NULL,
	"short_name" text,
	"logo_url" text,
	"institution_type" text,
	"tier" text,
	"stage" text,
	"status" text NOT NULL,
	"authorization_type" text,
	"scopes" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"average_duration_ms" jsonb,
	"fetched_at" timestamp with time zone DEFAULT now() NOT NULL,
	"status_since" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "connectors_id_method_pk" PRIMARY KEY("id","method")
);
--> statement-breakpoint
CREATE INDEX "connector_status_history_idx" ON "connector_status_history" USING btree ("connector_id","method","observed_at" DESC NULLS LAST);--> statement-breakpoint
CREATE INDEX "connectors_status_idx" ON "connectors" USING btree ("status");