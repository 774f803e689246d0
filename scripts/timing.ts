// Durations for `npm test`'s stage summary (scripts/test.ts) and the Playwright per-project times
// (e2e/timing-reporter.ts), which hands them to the runner in PLAYWRIGHT_TIMES_FILE.
import path from "node:path";

/** Written by the reporter at the end of every Playwright run (Playwright empties test-results/ when a run starts). */
export const PLAYWRIGHT_TIMES_FILE = path.join(process.cwd(), "test-results", "timing.json");

export interface ProjectTime {
  name: string;
  ms: number;
  tests: number;
}

export interface PlaywrightTimes {
  /** From the start of the run to the first test: the production build and the servers (e2e/serve.ts). */
  startupMs: number;
  projects: ProjectTime[];
  totalMs: number;
}

/** "41.2s" under a minute, "12m 05s" above. */
export function formatDuration(ms: number): string {
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)}s`;
  const seconds = Math.round(ms / 1000);
  return `${Math.floor(seconds / 60)}m ${String(seconds % 60).padStart(2, "0")}s`;
}
