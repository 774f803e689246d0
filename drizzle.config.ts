import { defineConfig } from "drizzle-kit";

// Only used to generate SQL migrations from lib/db/schema.ts (npm run db:generate); migrations are applied by
// lib/db/migrate.ts on start and in tests, never by drizzle-kit against a running embedded database.
export default defineConfig({
  schema: "./lib/db/schema.ts",
  out: "./drizzle",
  dialect: "postgresql",
});
