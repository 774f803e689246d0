import { handleUserCheck } from "@/lib/api-keys/handler";
import { basiq } from "@/lib/basiq";
import { getDb } from "@/lib/db";

// The partner's "user signed in" check (issue 17 §3): machine API keys only (lib/api-keys/handler.ts); a staff
// session is refused with 403. Documented at /api/v1/openapi.json.
export async function POST(request: Request, context: { params: Promise<{ userId: string }> }): Promise<Response> {
  const { userId } = await context.params;
  return handleUserCheck(request, userId, { db: await getDb(), client: basiq() });
}
