import "server-only";

// The users list as CSV (issue 18 item 10): the current search and filters, masked e-mails and mobiles — the same
// DTOs the list shows, read through listUsers so an exact e-mail/mobile search is counted and audited exactly as
// on the page. Masked for every role: a bulk export must not become a way around the audited, rate-limited reveal.
import { recordAudit } from "@/lib/audit";
import { requirePermission } from "@/lib/auth/session";
import { csvDocument } from "@/lib/csv";
import type { DirectoryQuery } from "@/lib/directory/search";
import { UserFacingError } from "@/lib/errors";

import { getInstitutionNames } from "./names";
import { listUsers } from "./users";

export const USERS_CSV_LIMIT = 5_000;
const PAGE = 100;

export async function exportUsersCsv(query: Omit<DirectoryQuery, "page" | "pageSize">): Promise<{ csv: string; rows: number; truncated: boolean }> {
  const caller = await requirePermission("users.read");
  const bankNames = await getInstitutionNames();
  const rows: (string | number | null)[][] = [];
  let truncated = false;
  for (let page = 1; ; page++) {
    const result = await listUsers({ ...query, page, pageSize: PAGE });
    if (result.refusal) throw new UserFacingError(result.refusal);
    for (const u of result.rows) {
      if (rows.length >= USERS_CSV_LIMIT) {
        truncated = true;
        break;
      }
      rows.push([
        u.id,
        u.name,
        u.maskedEmail,
        u.maskedMobile,
        u.connectionCount,
        u.institutionIds.map((id) => bankNames[id] ?? id).join("; "),
        u.worstStatus,
        u.lastSyncedAt,
      ]);
    }
    if (truncated || page >= result.pageCount || result.rows.length < PAGE) break;
  }
  await recordAudit({
    actor: { id: caller.id, email: caller.email, role: caller.role },
    action: "users.export",
    outcome: "success",
    details: { filter: { ...(query.q ? { q: "(search)" } : {}), ...(query.status ? { status: query.status } : {}), ...(query.institution ? { institution: query.institution } : {}) }, rows: rows.length, truncated },
  });
  return {
    csv: csvDocument(["user_id", "name", "email_masked", "mobile_masked", "connections", "banks", "worst_status", "last_synced"], rows),
    rows: rows.length,
    truncated,
  };
}
