"use server";

import { z } from "zod";

import { defineAction } from "@/lib/actions/define-action";
import { resolveSearchTarget, type SearchJump } from "@/lib/dal/search-target";
import { listUsers } from "@/lib/dal/users";

export interface PaletteUser {
  id: string;
  name: string | null;
  href: string;
  detail: string;
}

// The command palette's user search (issue 18 item 12): whatever the users page's search accepts, through the same
// DAL (exact e-mail/mobile lookups counted and audited the same way), at most 8 users, plus the page a job,
// connection or bank search names.
export const paletteSearchAction = defineAction({
  name: "paletteSearch",
  permission: "users.read",
  input: z.object({ q: z.string().trim().min(2).max(200) }).strict(),
  async run({ q }) {
    const [jump, result] = await Promise.all([resolveSearchTarget(q), listUsers({ q, page: 1, pageSize: 8 })]);
    const users: PaletteUser[] = result.rows.map((u) => ({
      id: u.id,
      name: u.name,
      href: `/users/${encodeURIComponent(u.id)}`,
      detail: [u.maskedEmail, u.maskedMobile].filter(Boolean).join(" · "),
    }));
    return { ok: true, data: { users, jump: jump as SearchJump | null, refusal: result.refusal } };
  },
});
