"use client";

import "@/lib/zod-config";

// Date filters that work from the keyboard (issue 18 item 10): dates are typed (2026-12-01 or 1/12/2026) and apply
// on Enter or on leaving the field; presets Today / 24 h / 7 d / 30 d are toggle buttons. Days are days in the
// console's zone, named beside the fields.
import { useState } from "react";

import { DATE_PRESET_LABEL, DATE_PRESETS, parseTypedDate, type DatePreset } from "@/lib/list/dates";
import { cn } from "@/lib/utils";

import { controlShapeClass } from "./filter-bar";
import type { ListChanges } from "./use-list-state";

function DateField({ id, label, value, onCommit }: { id: string; label: string; value: string; onCommit: (ymd: string) => void }) {
  const [text, setText] = useState(value);
  const [seen, setSeen] = useState(value);
  const [error, setError] = useState<string | null>(null);
  if (value !== seen) {
    setSeen(value);
    setText(value);
    setError(null);
  }
  const commit = () => {
    const typed = text.trim();
    if (!typed) {
      setError(null);
      if (value) onCommit("");
      return;
    }
    const ymd = parseTypedDate(typed);
    if (!ymd) {
      setError("Type a date as 2026-12-01 or 1/12/2026.");
      return;
    }
    setError(null);
    setText(ymd);
    if (ymd !== value) onCommit(ymd);
  };
  const errorId = `${id}-error`;
  return (
    <label htmlFor={id} className="text-xs text-slate-600">
      {label}
      <input
        id={id}
        inputMode="numeric"
        autoComplete="off"
        placeholder="YYYY-MM-DD"
        maxLength={10}
        className={cn(controlShapeClass, "block w-32", error ? "border-red-500" : "border-slate-300")}
        value={text}
        aria-invalid={error ? true : undefined}
        aria-describedby={error ? errorId : undefined}
        onChange={(e) => setText(e.target.value)}
        onBlur={commit}
        onKeyDown={(e) => {
          if (e.key === "Enter") {
            e.preventDefault();
            commit();
          }
        }}
      />
      {error ? (
        <span id={errorId} role="alert" className="mt-1 block text-xs text-red-700">
          {error}
        </span>
      ) : null}
    </label>
  );
}

export function DateRangeFilter({
  idPrefix,
  from,
  to,
  range,
  timeZone,
  update,
}: {
  idPrefix: string;
  from: string;
  to: string;
  range: string;
  timeZone: string;
  update: (changes: ListChanges) => void;
}) {
  return (
    <fieldset className="flex flex-wrap items-end gap-2">
      <legend className="sr-only">Date ({timeZone})</legend>
      <div role="group" aria-label="Date presets" className="flex gap-1">
        {DATE_PRESETS.map((p: DatePreset) => (
          <button
            key={p}
            type="button"
            aria-pressed={range === p}
            onClick={() => update(range === p ? { range: null } : { range: p, from: null, to: null })}
            className={cn(
              "rounded-md border px-2 py-2 text-sm focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-sky-600",
              range === p ? "border-slate-900 bg-slate-900 text-white" : "border-slate-300 bg-white text-slate-800 hover:bg-slate-100",
            )}
          >
            {DATE_PRESET_LABEL[p]}
          </button>
        ))}
      </div>
      <DateField id={`${idPrefix}-from`} label="From" value={from} onCommit={(v) => update({ from: v, range: null })} />
      <DateField id={`${idPrefix}-to`} label="To (inclusive)" value={to} onCommit={(v) => update({ to: v, range: null })} />
      <span className="pb-2 text-xs text-slate-500" data-testid="filter-zone">
        Days in {timeZone}
      </span>
    </fieldset>
  );
}
