// CSV for exports (RFC 4180, CRLF). Every cell is quoted, and a cell a spreadsheet would evaluate as a formula
// (= + - @, tab, CR) gets a leading apostrophe: exported data is attacker-influenced (CSV injection).
export function csvCell(value: string | number | boolean | null | undefined): string {
  const v = value === null || value === undefined ? "" : String(value);
  const safe = /^[=+\-@\t\r]/.test(v) ? `'${v}` : v;
  return `"${safe.replace(/"/g, '""')}"`;
}

/** A whole document: a header line (our own column names, left unquoted) and one line per row, each ending in CRLF. */
export function csvDocument(header: readonly string[], rows: readonly (readonly (string | number | boolean | null | undefined)[])[]): string {
  return [header.join(","), ...rows.map((r) => r.map(csvCell).join(","))].join("\r\n") + "\r\n";
}
