CREATE INDEX "basiq_users_connections_sort_idx" ON "basiq_users" USING btree ("connection_count" DESC NULLS LAST,"id");--> statement-breakpoint
CREATE INDEX "basiq_users_status_sort_idx" ON "basiq_users" USING btree (array_position(array['invalid','pending','pre-init','active','none']::text[], "worst_connection_status"),"id");--> statement-breakpoint
DROP INDEX IF EXISTS "basiq_users_synced_idx";--> statement-breakpoint
CREATE INDEX "basiq_users_synced_idx" ON "basiq_users" USING btree ("last_synced_at" DESC NULLS LAST,"id");
