import { guardRoute } from "@/lib/auth/guard";
import { exportFailedJobsCsv } from "@/lib/dal/jobs";
import { parseErrorLogSearch, rejectedFilters } from "@/lib/search-params";

// CSV of the error log's current filter (support/admin). Audited in the DAL.
export async function GET(request: Request): Promise<Response> {
  const guard = await guardRoute("jobs.export");
  if (!guard.ok) return guard.response;
  const params = new URL(request.url).searchParams;
  const filters = parseErrorLogSearch(params);
  const rejected = rejectedFilters(params, filters, ["code", "step", "institution", "userId", "from", "to"]);
  if (rejected.length) return Response.json({ error: `Invalid filter: ${rejected.join(", ")}.` }, { status: 400 });
  const csv = await exportFailedJobsCsv({ ...filters, before: undefined, after: undefined });
  const stamp = new Date().toISOString().slice(0, 19).replace(/[:T]/g, "-");
  return new Response(csv, {
    headers: {
      "Content-Type": "text/csv; charset=utf-8",
      "Content-Disposition": `attachment; filename="failed-jobs-${stamp}.csv"`,
      "Cache-Control": "no-store",
    },
  });
}
