CREATE TABLE "basiq_user_name_prefixes" (
	"prefix_idx" text NOT NULL,
	"user_id" text NOT NULL,
	CONSTRAINT "basiq_user_name_prefixes_prefix_idx_user_id_pk" PRIMARY KEY("prefix_idx","user_id")
);
--> statement-breakpoint
ALTER TABLE "basiq_user_name_prefixes" ADD CONSTRAINT "basiq_user_name_prefixes_user_id_basiq_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."basiq_users"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "basiq_user_name_prefixes_user_idx" ON "basiq_user_name_prefixes" USING btree ("user_id");--> statement-breakpoint
CREATE INDEX "basiq_users_connections_idx" ON "basiq_users" USING gin ("connections" jsonb_path_ops);--> statement-breakpoint
CREATE TABLE "saved_views" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"staff_id" uuid NOT NULL,
	"list" text NOT NULL,
	"name" text NOT NULL,
	"params" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "saved_views" ADD CONSTRAINT "saved_views_staff_id_staff_id_fk" FOREIGN KEY ("staff_id") REFERENCES "public"."staff"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "saved_views_staff_list_name_idx" ON "saved_views" USING btree ("staff_id","list","name");
