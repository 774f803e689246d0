"use client";

import { useRef } from "react";

import { useUrlParams } from "@/components/data-table/use-url-params";

const textFilters = [
  { key: "actor", label: "Actor e-mail", width: "w-56", maxLength: 254, placeholder: "someone@company.com" },
  { key: "userId", label: "User id", width: "w-48", maxLength: 64 },
  { key: "connectionId", label: "Connection id", width: "w-48", maxLength: 64 },
  { key: "jobId", label: "Job id", width: "w-48", maxLength: 64 },
] as const;

const allKeys = ["actor", "action", "outcome", "userId", "connectionId", "jobId", "from", "to"];

/** The audit log's filters, all in the URL (as the error log's toolbar). Text fields apply on Enter or on leaving them. */
export function AuditToolbar({ actions, outcomes }: { actions: string[]; outcomes: readonly string[] }) {
  const { params, update, pending } = useUrlParams();
  const form = useRef<HTMLFormElement>(null);
  const control = "max-w-64 rounded-md border border-slate-300 bg-white px-2 py-2 text-sm";
  const action = params.get("action") ?? "";
  // An action typed into the URL that has no events yet still shows as selected.
  const actionOptions = action && !actions.includes(action) ? [action, ...actions] : actions;
  const anySet = allKeys.some((k) => params.get(k));

  // Leaving a field unchanged must not reset the pagination.
  function applyText(key: string, value: string) {
    if (value.trim() !== (params.get(key) ?? "")) update({ [key]: value.trim() });
  }

  function clearAll() {
    // Text inputs are uncontrolled (they apply on blur), so empty them by hand before the URL changes.
    form.current?.querySelectorAll<HTMLInputElement>("input[data-text-filter]").forEach((input) => (input.value = ""));
    update(Object.fromEntries(allKeys.map((k) => [k, ""])));
  }

  return (
    <form ref={form} className="mb-4 flex flex-wrap items-end gap-2" aria-busy={pending} aria-label="Audit log filters" onSubmit={(e) => e.preventDefault()}>
      <label className="text-xs text-slate-600">
        Action
        <select className={`${control} block`} value={action} onChange={(e) => update({ action: e.target.value })}>
          <option value="">Any</option>
          {actionOptions.map((a) => (
            <option key={a} value={a}>
              {a}
            </option>
          ))}
        </select>
      </label>
      <label className="text-xs text-slate-600">
        Outcome
        <select className={`${control} block`} value={params.get("outcome") ?? ""} onChange={(e) => update({ outcome: e.target.value })}>
          <option value="">Any</option>
          {outcomes.map((o) => (
            <option key={o} value={o}>
              {o}
            </option>
          ))}
        </select>
      </label>
      {textFilters.map((f) => (
        <label key={f.key} className="text-xs text-slate-600">
          {f.label}
          <input
            data-text-filter
            className={`${control} block ${f.width}`}
            defaultValue={params.get(f.key) ?? ""}
            placeholder={"placeholder" in f ? f.placeholder : undefined}
            maxLength={f.maxLength}
            type={f.key === "actor" ? "email" : "text"}
            onBlur={(e) => applyText(f.key, e.target.value)}
            onKeyDown={(e) => e.key === "Enter" && applyText(f.key, e.currentTarget.value)}
          />
        </label>
      ))}
      <label className="text-xs text-slate-600">
        From (UTC)
        <input type="date" className={`${control} block`} value={params.get("from") ?? ""} onChange={(e) => update({ from: e.target.value })} />
      </label>
      <label className="text-xs text-slate-600">
        To (UTC)
        <input type="date" className={`${control} block`} value={params.get("to") ?? ""} onChange={(e) => update({ to: e.target.value })} />
      </label>
      {anySet ? (
        <button type="button" onClick={clearAll} className="pb-2 text-sm text-sky-700 hover:underline">
          Clear filters
        </button>
      ) : null}
      {pending ? <span className="pb-2 text-xs text-slate-500">Updating…</span> : null}
    </form>
  );
}
