// All benchmarks, one after the other: npm run bench (tsx --conditions=react-server bench/index.ts).
//   1. the Basiq token cache against the local sandbox: calls made, token requests, cached-call latency;
//   2. the directory: 100,000 users, search and /users list-page latencies per kind;
//   3. the job sweep: 10,000 users with 50 ms of Basiq latency: time, calls per user, peak concurrency.
// Each prints its own table; the exit code is 1 when one misses its targets.
import { runDirectoryBench } from "./directory.bench";
import { runSweepBench } from "./sweep.bench";
import { runTokenCacheBench } from "./token-cache.bench";

async function main(): Promise<boolean> {
  const token = await runTokenCacheBench();
  console.log("");
  const directory = await runDirectoryBench();
  console.log("");
  const sweep = await runSweepBench();
  const missed = [
    ...(token.ok ? [] : ["token cache"]),
    ...(directory.ok ? [] : ["directory"]),
    ...(sweep.ok ? [] : [`sweep (${sweep.floorRatio.toFixed(2)} × its floor, ${sweep.averageInFlight.toFixed(2)} of 8 in flight)`]),
  ];
  console.log("");
  console.log(missed.length === 0 ? "npm run bench: every target met" : `npm run bench: target missed — ${missed.join("; ")} (exit 1)`);
  return missed.length === 0;
}

main().then(
  (ok) => {
    process.exitCode = ok ? 0 : 1;
  },
  (error: unknown) => {
    console.error(error);
    process.exitCode = 1;
  },
);
