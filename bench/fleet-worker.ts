// One console process of the fleet benchmark (bench/fleet.bench.ts): the console's own start-up of background
// work — lib/server-lifecycle.ts (the job engine with every queue of lib/queue/registry.ts, on DATABASE_URL) —
// without the web server. Prints "ready" once its workers run; SIGTERM stops it cleanly, SIGKILL is the crash.
import { startServerLifecycle } from "../lib/server-lifecycle";

startServerLifecycle().then(
  () => {
    console.log("ready");
    setInterval(() => {}, 60_000); // the engine's timers are unref'd: keep the process alive
  },
  (e: unknown) => {
    console.error(e instanceof Error ? e.message : String(e));
    process.exit(1);
  },
);
