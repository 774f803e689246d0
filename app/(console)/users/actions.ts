"use server";

import { z } from "zod";

import { defineAction } from "@/lib/actions/define-action";
import { importUsers, revealUserField, startSync } from "@/lib/dal/users";
import { basiqUserIdSchema } from "@/lib/dal/ids";
import { parseIdList } from "@/lib/directory/import";

export const revealUserFieldAction = defineAction({
  name: "revealUserField",
  permission: "pii.reveal",
  input: z.object({ userId: basiqUserIdSchema, field: z.enum(["email", "mobile"]) }),
  async run({ userId, field }) {
    return { ok: true, data: await revealUserField(userId, field) };
  },
});

export const importUsersAction = defineAction({
  name: "importUsers",
  permission: "users.import",
  input: z.object({
    text: z
      .string()
      .max(200_000, { message: "The list is too long: at most 1,000 ids (200 kB) per import." })
      .refine((t) => t.trim().length > 0, { message: "Paste ids or choose a file first." })
      // A list without a single id-shaped line is a mistake (wrong file, wrong column): refuse it before any
      // lookup or audit row, rather than "importing" nothing.
      .refine((t) => t.length > 200_000 || !t.trim() || parseIdList(t).some((line) => line.id), {
        message: "No Basiq user id found: one id per line (letters, digits, - and _), or a CSV with an id column.",
      }),
  }),
  async run({ text }) {
    const rows = await importUsers(text);
    return { ok: true, data: rows, message: summarise(rows) };
  },
});

export const startDirectorySyncAction = defineAction({
  name: "startDirectorySync",
  permission: "users.sync",
  input: z.object({}).strict(),
  async run() {
    return { ok: true, data: await startSync(), message: "Sync started." };
  },
});

function summarise(rows: { verdict: string }[]): string {
  const counts = new Map<string, number>();
  for (const r of rows) counts.set(r.verdict, (counts.get(r.verdict) ?? 0) + 1);
  return [...counts].map(([verdict, n]) => `${n} ${verdict.replace(/-/g, " ")}`).join(", ") || "Nothing to import.";
}
