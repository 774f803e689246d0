import { guardRoute } from "@/lib/auth/guard";
import { getSweepStatus } from "@/lib/dal/sweep";

// Sweep progress for the admin panel on /jobs (react-query polling while a sweep runs).
export async function GET(): Promise<Response> {
  const guard = await guardRoute("sweep.run");
  if (!guard.ok) return guard.response;
  return Response.json(await getSweepStatus(), { headers: { "Cache-Control": "no-store" } });
}
