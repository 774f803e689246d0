// Prints how long each Playwright project took (wall clock from its first test's start to its last test's end) and
// the start-up before the first test (build + servers), so the CI budget is visible, and writes them to
// test-results/timing.json for `npm test`'s closing summary (scripts/test.ts). Listed before the list reporter so
// that Playwright's own closing line stays its last.
import { mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";

import type { FullResult, Reporter, TestCase, TestResult } from "@playwright/test/reporter";

import {
  formatDuration,
  PLAYWRIGHT_TIMES_FILE,
  type PlaywrightTimes,
  type ProjectTime,
} from "../scripts/timing";

interface Span {
  first: number;
  last: number;
  tests: Set<string>;
}

export default class TimingReporter implements Reporter {
  private spans = new Map<string, Span>();

  onTestEnd(test: TestCase, result: TestResult): void {
    const name = test.parent.project()?.name ?? "(no project)";
    const start = result.startTime.getTime();
    const span = this.spans.get(name) ?? { first: start, last: start, tests: new Set<string>() };
    span.first = Math.min(span.first, start);
    span.last = Math.max(span.last, start + result.duration);
    span.tests.add(test.id);
    this.spans.set(name, span);
  }

  onEnd(result: FullResult): void {
    const runStart = result.startTime.getTime();
    const firstTest = Math.min(...[...this.spans.values()].map((s) => s.first));
    const projects: ProjectTime[] = [...this.spans.entries()]
      .sort(([, a], [, b]) => a.first - b.first)
      .map(([name, s]) => ({ name, ms: s.last - s.first, tests: s.tests.size }));
    const times: PlaywrightTimes = {
      startupMs: Number.isFinite(firstTest) ? firstTest - runStart : result.duration,
      projects,
      totalMs: result.duration,
    };
    const lines = [
      `start-up (build + servers) ${formatDuration(times.startupMs)}`,
      ...projects.map((p) => `${p.name} ${formatDuration(p.ms)} (${p.tests} tests)`),
      `total ${formatDuration(times.totalMs)}`,
    ];
    if (projects.length > 0) console.log(`\nPlaywright time per project: ${lines.join(", ")}`);
    mkdirSync(path.dirname(PLAYWRIGHT_TIMES_FILE), { recursive: true });
    writeFileSync(PLAYWRIGHT_TIMES_FILE, JSON.stringify(times));
  }
}
