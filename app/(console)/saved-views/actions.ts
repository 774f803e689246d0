"use server";

import { z } from "zod";

import { defineAction } from "@/lib/actions/define-action";
import { deleteView, saveView } from "@/lib/dal/saved-views";
import { SAVED_VIEW_LISTS } from "@/lib/list/saved-views";

// Saved views of the list pages. "users.read" (every role) lets a person keep views at all; the DAL then checks the
// permission of the list the view belongs to (a staff member cannot save a view of the error log).
const viewName = z
  .string()
  .trim()
  .min(1, { message: "Give the view a name." })
  .max(60, { message: "At most 60 characters." })
  .regex(/^[\p{L}\p{N}][\p{L}\p{N} _.,:()'&/-]*$/u, { message: "Letters, digits, spaces and simple punctuation only." });

export const saveViewAction = defineAction({
  name: "saveView",
  permission: "users.read",
  input: z
    .object({
      list: z.enum(SAVED_VIEW_LISTS),
      name: viewName,
      query: z.string().max(2_000).regex(/^\??[\x20-\x7e]*$/, { message: "is not a query string" }),
    })
    .strict(),
  async run({ list, name, query }) {
    const view = await saveView(list, name, query);
    return { ok: true, data: view, message: `Saved view "${view.name}".` };
  },
});

export const deleteViewAction = defineAction({
  name: "deleteView",
  permission: "users.read",
  input: z.object({ id: z.string().uuid() }).strict(),
  async run({ id }) {
    await deleteView(id);
    return { ok: true, data: undefined, message: "Saved view deleted." };
  },
});
