import { env } from "@/lib/env";
import { log } from "@/lib/log";
import { checkBearer } from "@/lib/observability/bearer";
import { scrape } from "@/lib/observability/snapshot";

// Prometheus scrape endpoint (prom-client): Basiq calls, lanes, token, queues, sweep, sign-in failures, HTTP
// durations. Machine access with `Authorization: Bearer $METRICS_TOKEN`; 404 while no token is configured, 401 on
// a wrong one. Labels hold route templates and statuses only: no ids, no personal data, no secrets.
export const dynamic = "force-dynamic";

export async function GET(request: Request): Promise<Response> {
  const verdict = checkBearer(request.headers.get("authorization"), env().metricsToken);
  if (verdict === "not-configured") return Response.json({ error: "Not found" }, { status: 404 });
  if (verdict === "refused") {
    return Response.json(
      { error: "A valid metrics bearer token is required." },
      { status: 401, headers: { "WWW-Authenticate": 'Bearer realm="metrics"' } },
    );
  }
  try {
    const { body, contentType } = await scrape();
    return new Response(body, { headers: { "Content-Type": contentType, "Cache-Control": "no-store" } });
  } catch (error) {
    log.error({ errorType: (error as Error)?.name }, "metrics scrape failed");
    return Response.json({ error: "Metrics unavailable" }, { status: 503 });
  }
}
