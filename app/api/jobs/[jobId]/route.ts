import { guardRoute } from "@/lib/auth/guard";
import { getJobDetail } from "@/lib/dal/jobs";
import { NotFoundError } from "@/lib/errors";

// One job as JSON, polled by the job page while the job runs (react-query).
export async function GET(_request: Request, context: { params: Promise<{ jobId: string }> }): Promise<Response> {
  const guard = await guardRoute("jobs.read");
  if (!guard.ok) return guard.response;
  const { jobId } = await context.params;
  try {
    return Response.json(await getJobDetail(jobId), { headers: { "Cache-Control": "no-store" } });
  } catch (e) {
    if (e instanceof NotFoundError) return Response.json({ error: e.message }, { status: 404 });
    return Response.json({ error: "Basiq could not be reached; try again." }, { status: 502 });
  }
}
