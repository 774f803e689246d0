import "server-only";

// Importing Basiq user ids pasted or uploaded by support/admin: CSV (first column, or a column named
// id/userId/user_id) or one id per line. Each line gets a verdict; bad lines are rejected with a reason and
// only users Basiq confirms are written, each in its own transaction (nothing half-written).
import { inArray } from "drizzle-orm";
import Papa from "papaparse";

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

const HEADER_NAMES = ["id", "userid", "user_id", "user id", "basiq user id"];

/**
 * One record per line of the pasted or uploaded text, read by papaparse (RFC 4180: quoted fields may hold commas,
 * semicolons, doubled quotes and line breaks; the delimiter — comma, semicolon or tab — is detected).
 */
export function parseIdList(text: string): ParsedLine[] {
  const { data, meta } = Papa.parse<string[]>(text.replace(/^\uFEFF/, ""), {
    delimitersToGuess: [",", ";", "\t"],
    skipEmptyLines: false,
  });
  const records = data.map((cells) => cells.map((cell) => cell.trim()));
  let column = 0;
  let startAt = 0;
  const headerIndex = (records[0] ?? []).findIndex((h) => HEADER_NAMES.includes(h.toLowerCase()));
  if (headerIndex >= 0) {
    column = headerIndex;
    startAt = 1;
  }
  const parsed: ParsedLine[] = [];
  for (let i = startAt; i < records.length; i++) {
    const cells = records[i]!;
    if (cells.every((c) => !c)) continue;
    const value = (cells[column] ?? "").slice(0, 200);
    const shown = cells.join(meta.delimiter).slice(0, 80);
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
