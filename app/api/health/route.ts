import { sql } from "drizzle-orm";

import { basiqReachability } from "@/lib/basiq";
import { getDb } from "@/lib/db";
import { env } from "@/lib/env";
import { log } from "@/lib/log";

// Liveness for load balancers and the e2e harness: no authentication, no secrets, no details.
// `basiq` is "sandbox" (sandbox mode) or "ok" when an authenticated read succeeded within the last 30 s
// (lib/basiq/reachability.ts: one GET /events/types per 30 s per process, whoever asks), "unauthorized" when Basiq
// refuses our API key, "down" otherwise. A Basiq problem is "degraded", still 200: the console itself serves
// (stored copies, banners); only a database it cannot reach makes it unfit for traffic (503).
export const dynamic = "force-dynamic";

export async function GET(): Promise<Response> {
  const [db, basiqState] = await Promise.all([
    getDb()
      .then((d) => d.execute(sql`select 1`))
      .then(() => "ok" as const)
      .catch((e: unknown) => {
        log.error({ err: e instanceof Error ? e.name : "unknown" }, "health: database check failed");
        return "down" as const;
      }),
    basiqReachability().check().then((reach) => (reach === "ok" && env().basiq.mode === "sandbox" ? ("sandbox" as const) : reach)),
  ]);
  const status = db === "ok" && basiqState !== "down" && basiqState !== "unauthorized" ? "ok" : "degraded";
  return Response.json(
    { status, db, basiq: basiqState },
    { status: db === "ok" ? 200 : 503, headers: { "Cache-Control": "no-store" } },
  );
}
