import { guardRoute } from "@/lib/auth/guard";
import { getSyncProgress } from "@/lib/dal/users";

// Progress of the directory sync, polled by the import page (react-query).
export async function GET(): Promise<Response> {
  const guard = await guardRoute("users.sync");
  if (!guard.ok) return guard.response;
  return Response.json(await getSyncProgress(), { headers: { "Cache-Control": "no-store" } });
}
