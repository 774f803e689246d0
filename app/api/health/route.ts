import { sql } from "drizzle-orm";

import { basiq } from "@/lib/basiq";
import { isBasiqKeyRefused } from "@/lib/basiq/errors";
import { getDb } from "@/lib/db";
import { env } from "@/lib/env";
import { log } from "@/lib/log";

// Liveness for load balancers and the e2e harness: no authentication, no secrets, no details.
// `basiq` is "sandbox" in sandbox mode, "ok" when a token can be had (usually the cached one), "unauthorized"
// when Basiq refuses our API key (POST /token answered 4xx), "down" otherwise.
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
    basiq()
      .checkAccess()
      .then(() => (env().basiq.mode === "sandbox" ? ("sandbox" as const) : ("ok" as const)))
      .catch((e: unknown) => (isBasiqKeyRefused(e) ? ("unauthorized" as const) : ("down" as const))),
  ]);
  const status = db === "ok" && basiqState !== "down" && basiqState !== "unauthorized" ? "ok" : "degraded";
  return Response.json(
    { status, db, basiq: basiqState },
    { status: db === "ok" ? 200 : 503, headers: { "Cache-Control": "no-store" } },
  );
}
