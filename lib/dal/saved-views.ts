import "server-only";

// Saved views of the list pages, kept per staff member (issue 18 item 10). Each function checks the policy for
// the list in question and touches only the caller's own rows.
import { and, asc, count, eq } from "drizzle-orm";

import { requirePermission } from "@/lib/auth/session";
import { getDb } from "@/lib/db";
import { savedViews } from "@/lib/db/schema";
import { NotFoundError, UserFacingError } from "@/lib/errors";
import { canonicalViewQuery, SAVED_VIEW_LIST, SAVED_VIEWS_PER_LIST, type SavedViewList } from "@/lib/list/saved-views";

export interface SavedViewDTO {
  id: string;
  name: string;
  href: string;
}

export async function listSavedViews(list: SavedViewList): Promise<SavedViewDTO[]> {
  const caller = await requirePermission(SAVED_VIEW_LIST[list].permission);
  const db = await getDb();
  const rows = await db
    .select({ id: savedViews.id, name: savedViews.name, params: savedViews.params })
    .from(savedViews)
    .where(and(eq(savedViews.staffId, caller.id), eq(savedViews.list, list)))
    .orderBy(asc(savedViews.name));
  return rows.map((r) => ({ id: r.id, name: r.name, href: `${SAVED_VIEW_LIST[list].path}${r.params}` }));
}

/** Saves (or, under the same name, replaces) the caller's view of a list. */
export async function saveView(list: SavedViewList, name: string, query: string): Promise<SavedViewDTO> {
  const caller = await requirePermission(SAVED_VIEW_LIST[list].permission);
  const params = canonicalViewQuery(list, query);
  const db = await getDb();
  return db.transaction(async (tx) => {
    const [existing] = await tx
      .select({ id: savedViews.id })
      .from(savedViews)
      .where(and(eq(savedViews.staffId, caller.id), eq(savedViews.list, list), eq(savedViews.name, name)));
    if (!existing) {
      const [{ n } = { n: 0 }] = await tx
        .select({ n: count() })
        .from(savedViews)
        .where(and(eq(savedViews.staffId, caller.id), eq(savedViews.list, list)));
      if (n >= SAVED_VIEWS_PER_LIST) throw new UserFacingError(`At most ${SAVED_VIEWS_PER_LIST} saved views per list: delete one first.`);
    }
    const [row] = await tx
      .insert(savedViews)
      .values({ staffId: caller.id, list, name, params })
      .onConflictDoUpdate({ target: [savedViews.staffId, savedViews.list, savedViews.name], set: { params, createdAt: new Date() } })
      .returning({ id: savedViews.id });
    return { id: row!.id, name, href: `${SAVED_VIEW_LIST[list].path}${params}` };
  });
}

export async function deleteView(id: string): Promise<void> {
  const caller = await requirePermission("users.read");
  const db = await getDb();
  const deleted = await db
    .delete(savedViews)
    .where(and(eq(savedViews.id, id), eq(savedViews.staffId, caller.id)))
    .returning({ id: savedViews.id });
  if (deleted.length === 0) throw new NotFoundError("No such saved view.");
}
