// An event's details (JSON) in one short line; the whole object, pretty-printed, one click away when it is longer.
const SHORT = 120;

function inline(value: unknown): string {
  return typeof value === "string" ? value : JSON.stringify(value);
}

/** Institution ids in details are shown with their bank name: "institutionId: Commonwealth Bank (AU00201)". */
export function AuditDetails({ details, bankNames = {} }: { details: Record<string, unknown> | null; bankNames?: Record<string, string> }) {
  const entries = (details ? Object.entries(details) : []).map(([k, v]): [string, unknown] =>
    /^institution(Id)?$/.test(k) && typeof v === "string" && bankNames[v] ? [k, `${bankNames[v]} (${v})`] : [k, v],
  );
  if (entries.length === 0) return <span className="text-slate-400">—</span>;
  const summary = entries.map(([k, v]) => `${k}: ${inline(v)}`).join(" · ");
  if (summary.length <= SHORT) return <code className="text-xs text-slate-700 wrap-anywhere">{summary}</code>;
  return (
    <details className="text-xs">
      <summary className="cursor-pointer text-slate-700 wrap-anywhere">
        <code>{summary.slice(0, SHORT)}…</code>
      </summary>
      <pre className="mt-1 max-w-md overflow-x-auto whitespace-pre-wrap break-all rounded bg-slate-50 p-2">{JSON.stringify(details, null, 2)}</pre>
    </details>
  );
}
