import { guardRoute } from "@/lib/auth/guard";
import { exportUsersCsv } from "@/lib/dal/users-export";
import { UserFacingError } from "@/lib/errors";
import { parseUsersSearch, rejectedFilters } from "@/lib/search-params";

// CSV of the users list's current search and filters (every role; e-mails and mobiles masked). Audited in the DAL.
export async function GET(request: Request): Promise<Response> {
  const guard = await guardRoute("users.read");
  if (!guard.ok) return guard.response;
  const params = new URL(request.url).searchParams;
  const search = parseUsersSearch(params);
  const rejected = rejectedFilters(params, search, ["status", "institution"]);
  if (rejected.length) return Response.json({ error: `Invalid filter: ${rejected.join(", ")}.` }, { status: 400 });
  try {
    const { csv } = await exportUsersCsv({ q: search.q, status: search.status, institution: search.institution, sort: search.sort, dir: search.dir });
    const stamp = new Date().toISOString().slice(0, 19).replace(/[:T]/g, "-");
    return new Response(csv, {
      headers: {
        "Content-Type": "text/csv; charset=utf-8",
        "Content-Disposition": `attachment; filename="users-${stamp}.csv"`,
        "Cache-Control": "no-store",
      },
    });
  } catch (e) {
    if (e instanceof UserFacingError) return Response.json({ error: e.message }, { status: 429 });
    throw e;
  }
}
