import "server-only";

// What a search names directly (issue 18 item 9): the page to open for a job id or a connection id, or the
// institution filter for a bank's name — only pages the caller's role may open (a job page needs jobs.read;
// without it, the job's connection page).
import { can } from "@/lib/auth/policy";
import { requirePermission } from "@/lib/auth/session";
import { getDb } from "@/lib/db";
import { findSearchTarget } from "@/lib/directory/search";

export interface SearchJump {
  href: string;
  label: string;
  /** Set when the search is a bank: the users list filters by it. */
  institutionId?: string;
}

const path = (...segments: string[]) => `/${segments.map(encodeURIComponent).join("/")}`;

export async function resolveSearchTarget(q: string): Promise<SearchJump | null> {
  const caller = await requirePermission("users.read");
  const target = await findSearchTarget(await getDb(), q);
  if (!target) return null;
  switch (target.kind) {
    case "job":
      if (can(caller.role, "jobs.read")) return { href: path("jobs", target.jobId), label: `Job ${target.jobId}` };
      return target.connectionId
        ? { href: path("users", target.userId, "connections", target.connectionId), label: `Connection ${target.connectionId}` }
        : { href: path("users", target.userId), label: `User ${target.userId}` };
    case "connection":
      return { href: path("users", target.userId, "connections", target.connectionId), label: `Connection ${target.connectionId}` };
    case "institution":
      return { href: `/users?institution=${encodeURIComponent(target.institutionId)}`, label: `Users at ${target.name}`, institutionId: target.institutionId };
  }
}
