import "server-only";

// Database statements run by this process, counted by drizzle's logger hook (no SQL text or parameters kept).
// For the integration-health figures and `npm run bench:http` (DB queries per page).

const globalForCount = globalThis as unknown as { basiqConsoleDbQueries?: { n: number } };

function counter(): { n: number } {
  return (globalForCount.basiqConsoleDbQueries ??= { n: 0 });
}

/** Plug into drizzle({ logger }): counts each statement. */
export const queryCounter = {
  logQuery(): void {
    counter().n++;
  },
};

/** Statements run since the process started. */
export function databaseQueryCount(): number {
  return counter().n;
}
