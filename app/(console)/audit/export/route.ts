import { guardRoute } from "@/lib/auth/guard";
import { exportAuditEventsCsv } from "@/lib/dal/audit";
import { parseAuditSearch, rejectedFilters } from "@/lib/search-params";

// CSV of the audit log's current filter (admin). The export is itself audited, in the DAL.
export async function GET(request: Request): Promise<Response> {
  const guard = await guardRoute("audit.read");
  if (!guard.ok) return guard.response;
  const params = new URL(request.url).searchParams;
  const { before: _before, after: _after, ...filters } = parseAuditSearch(params);
  const rejected = rejectedFilters(params, filters, ["actor", "action", "outcome", "userId", "connectionId", "jobId", "from", "to"]);
  if (rejected.length) return Response.json({ error: `Invalid filter: ${rejected.join(", ")}.` }, { status: 400 });
  const { csv, rows, truncated } = await exportAuditEventsCsv(filters);
  const stamp = new Date().toISOString().slice(0, 19).replace(/[:T]/g, "-");
  return new Response(csv, {
    headers: {
      "Content-Type": "text/csv; charset=utf-8",
      "Content-Disposition": `attachment; filename="audit-events-${stamp}.csv"`,
      "Cache-Control": "no-store",
      "X-Row-Count": String(rows),
      "X-Truncated": String(truncated),
    },
  });
}
