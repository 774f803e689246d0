import "server-only";

export { getDb, databaseKind, closeDatabase, rowsOf, type Database } from "./client";
export * as schema from "./schema";
export { databaseQueryCount } from "./query-count";
