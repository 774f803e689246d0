"use client";

import { useUrlParams } from "@/components/data-table/use-url-params";
import { JOB_STEP_TITLE, JOB_STEP_TITLES } from "@/lib/vocabulary";

const steps = JOB_STEP_TITLES;

export function ErrorLogToolbar({ codes }: { codes: string[] }) {
  const { params, update, pending } = useUrlParams();
  const control = "max-w-56 rounded-md border border-slate-300 bg-white px-2 py-2 text-sm";
  return (
    <div className="mb-4 flex flex-wrap items-end gap-2" aria-busy={pending}>
      <label className="text-xs text-slate-600">
        Error code
        <select className={`${control} block`} value={params.get("code") ?? ""} onChange={(e) => update({ code: e.target.value })}>
          <option value="">Any</option>
          {codes.map((c) => (
            <option key={c} value={c}>
              {c}
            </option>
          ))}
        </select>
      </label>
      <label className="text-xs text-slate-600">
        Failed step
        <select className={`${control} block`} value={params.get("step") ?? ""} onChange={(e) => update({ step: e.target.value })}>
          <option value="">Any</option>
          {steps.map((s) => (
            <option key={s} value={s}>
              {JOB_STEP_TITLE[s].label}
            </option>
          ))}
        </select>
      </label>
      <label className="text-xs text-slate-600">
        Institution / connector id
        <input
          className={`${control} block w-36`}
          defaultValue={params.get("institution") ?? ""}
          placeholder="AU00000"
          maxLength={32}
          onBlur={(e) => update({ institution: e.target.value.trim() })}
          onKeyDown={(e) => e.key === "Enter" && update({ institution: e.currentTarget.value.trim() })}
        />
      </label>
      <label className="text-xs text-slate-600">
        User id
        <input
          className={`${control} block w-56`}
          defaultValue={params.get("userId") ?? ""}
          maxLength={64}
          onBlur={(e) => update({ userId: e.target.value.trim() })}
          onKeyDown={(e) => e.key === "Enter" && update({ userId: e.currentTarget.value.trim() })}
        />
      </label>
      <label className="text-xs text-slate-600">
        From
        <input type="date" className={`${control} block`} value={params.get("from") ?? ""} onChange={(e) => update({ from: e.target.value })} />
      </label>
      <label className="text-xs text-slate-600">
        To
        <input type="date" className={`${control} block`} value={params.get("to") ?? ""} onChange={(e) => update({ to: e.target.value })} />
      </label>
      {pending ? <span className="pb-2 text-xs text-slate-500">Updating…</span> : null}
    </div>
  );
}
