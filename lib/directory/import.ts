import "server-only";

// Importing Basiq user ids pasted or uploaded by support/admin: CSV (first column, or a column named
// id/userId/user_id) or one id per line. Each line gets a verdict; bad lines are rejected with a reason and
// only users Basiq confirms are written, each in its own transaction (nothing half-written).
import { inArray } from "drizzle-orm";

import type { BasiqClient } from "@/lib/basiq/client";
import { isBasiqKeyRefused, KEY_REFUSED_MESSAGE } from "@/lib/basiq/errors";
import type { Database } from "@/lib/db";
import { basiqUsers } from "@/lib/db/schema";

import { forEachLimited, syncDirectoryUser } from "./sync";

export const MAX_IMPORT_LINES = 1000;
const ID = /^[A-Za-z0-9_-]{1,64}$/;

export type ImportVerdict = "added" | "already-present" | "not-found" | "duplicate" | "invalid" | "failed";

export interface ImportRow {
  line: number;
  value: string;
  verdict: ImportVerdict;
  reason?: string;
}

interface ParsedLine {
  line: number;
  value: string;
  id?: string;
  reason?: string;
}

function splitCsvLine(line: string): string[] {
  return line.split(/[,;\t]/).map((cell) => cell.trim().replace(/^"(.*)"$/, "$1").trim());
}

export function parseIdList(text: string): ParsedLine[] {
  const lines = text.replace(/^\uFEFF/, "").split(/\r?\n/);
  let column = 0;
  let startAt = 0;
  const header = splitCsvLine(lines[0] ?? "").map((h) => h.toLowerCase());
  const headerIndex = header.findIndex((h) => ["id", "userid", "user_id", "user id", "basiq user id"].includes(h));
  if (headerIndex >= 0) {
    column = headerIndex;
    startAt = 1;
  }
  const parsed: ParsedLine[] = [];
  for (let i = startAt; i < lines.length; i++) {
    const raw = lines[i]!;
    if (!raw.trim()) continue;
    const value = (splitCsvLine(raw)[column] ?? "").slice(0, 200);
    const shown = raw.trim().slice(0, 80);
    if (!value) parsed.push({ line: i + 1, value: shown, reason: "no id in this line" });
    else if (!ID.test(value)) parsed.push({ line: i + 1, value: shown, reason: "not a Basiq user id (letters, digits, - and _ only, at most 64)" });
    else parsed.push({ line: i + 1, value, id: value });
  }
  return parsed;
}

export async function importUserIds(db: Database, client: BasiqClient, text: string): Promise<ImportRow[]> {
  const parsed = parseIdList(text);
  if (parsed.length > MAX_IMPORT_LINES) {
    throw new RangeError(`At most ${MAX_IMPORT_LINES} lines per import (this list has ${parsed.length}).`);
  }
  const rows: ImportRow[] = [];
  const seen = new Set<string>();
  const toCheck: { row: ImportRow; id: string }[] = [];
  for (const p of parsed) {
    if (!p.id) {
      rows.push({ line: p.line, value: p.value, verdict: "invalid", reason: p.reason });
    } else if (seen.has(p.id)) {
      rows.push({ line: p.line, value: p.value, verdict: "duplicate", reason: "listed earlier in this import" });
    } else {
      seen.add(p.id);
      const row: ImportRow = { line: p.line, value: p.value, verdict: "failed" };
      rows.push(row);
      toCheck.push({ row, id: p.id });
    }
  }
  const existing = new Set(
    toCheck.length === 0
      ? []
      : (await db.select({ id: basiqUsers.id }).from(basiqUsers).where(inArray(basiqUsers.id, toCheck.map((c) => c.id)))).map(
          (r) => r.id,
        ),
  );
  let keyRefused = false;
  await forEachLimited(toCheck, 8, async ({ row, id }) => {
    if (existing.has(id)) {
      row.verdict = "already-present";
      return;
    }
    if (keyRefused) {
      // Stop early: every other id would be refused the same way (and would hammer POST /token).
      row.reason = `${KEY_REFUSED_MESSAGE}; not checked — try again once the key is fixed`;
      return;
    }
    try {
      const outcome = await syncDirectoryUser(db, client, id, "import");
      row.verdict = outcome === "not-found" ? "not-found" : "added";
      if (outcome === "not-found") row.reason = "Basiq has no user with this id";
    } catch (e) {
      row.verdict = "failed";
      if (isBasiqKeyRefused(e)) {
        keyRefused = true;
        row.reason = `${KEY_REFUSED_MESSAGE} (check BASIQ_API_KEY); this id was not checked`;
        return;
      }
      row.reason = `Basiq could not be asked (${(e as { code?: string; status?: number }).code ?? (e as { status?: number }).status ?? "no answer"}); try again later`;
    }
  });
  return rows;
}
