// pg-boss on the embedded PGlite: pg-boss takes any object with `executeSql(text, values)` as its database
// (pg-boss issue #563). Statements with parameters go through PGlite's extended protocol (one statement);
// parameterless text (pg-boss's schema plans are several statements in one string) through `exec`, whose last
// result is returned, as pg does. Arrays are sent in PostgreSQL's text form, which PGlite does not do itself for
// untyped parameters. PGlite serialises every query of the process (one connection), pg-boss's included.
import type { PGlite } from "@electric-sql/pglite";

export interface SqlExecutor {
  executeSql(text: string, values?: unknown[]): Promise<{ rows: unknown[]; rowCount?: number }>;
}

function pgArray(values: unknown[]): string {
  const items = values.map((v) => {
    if (v === null || v === undefined) return "NULL";
    const s = v instanceof Date ? v.toISOString() : typeof v === "object" ? JSON.stringify(v) : String(v);
    return `"${s.replace(/\\/g, "\\\\").replace(/"/g, '\\"')}"`;
  });
  return `{${items.join(",")}}`;
}

function param(value: unknown): unknown {
  if (Array.isArray(value)) return pgArray(value);
  return value;
}

export function pgliteExecutor(pg: PGlite): SqlExecutor {
  return {
    async executeSql(text, values = []) {
      if (values.length === 0) {
        const results = await pg.exec(text);
        const last = results.at(-1);
        return { rows: last?.rows ?? [], rowCount: last?.affectedRows ?? 0 };
      }
      const result = await pg.query(text, values.map(param));
      return { rows: result.rows, rowCount: result.affectedRows ?? 0 };
    },
  };
}
