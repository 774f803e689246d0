// How many Basiq round trips a page waited for in a row, read from the sandbox's request log
// (GET /__sandbox/requests/log): a request that arrived after another one's answer had ended may have waited
// for it; one that arrived before could not have. The depth of the longest such chain is the number of
// sequential round trips (1 = every call started at once). Causality, not a stopwatch: with the sandbox slowed
// down, calls started together all arrive long before the first answer ends.
import type { RequestLogEntry } from "./control";

export function sequentialRoundTrips(entries: readonly RequestLogEntry[]): number {
  const sorted = [...entries].sort((a, b) => a.start - b.start);
  const depth: number[] = [];
  let deepest = 0;
  sorted.forEach((entry, i) => {
    let d = 1;
    for (let j = 0; j < i; j++) {
      const before = sorted[j]!;
      if (before.end !== null && before.end <= entry.start) d = Math.max(d, depth[j]! + 1);
    }
    depth.push(d);
    deepest = Math.max(deepest, d);
  });
  return deepest;
}
