import "server-only";

export { getDb, databaseKind, closeDatabase, type Database } from "./client";
export * as schema from "./schema";
