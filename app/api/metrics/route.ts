import { guardRoute } from "@/lib/auth/guard";
import { getIntegrationHealth } from "@/lib/dal/overview";

// Admins: this process's Basiq lanes, per-route counters and database statement count, as JSON (the overview's
// integration panel shows the same figures). Read by `npm run bench:http`. Counters only: no ids, no secrets.
export const dynamic = "force-dynamic";

export async function GET(): Promise<Response> {
  const guard = await guardRoute("integration.health");
  if (!guard.ok) return guard.response;
  return Response.json(await getIntegrationHealth(), { headers: { "Cache-Control": "no-store" } });
}
