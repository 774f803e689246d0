"use client";

// The list kit's filter bar: a labelled search region holding the list's controls, with one "Updating…" for all.
// Selects apply at once; text fields on Enter or on leaving them (only when changed, so the page is kept).
import { useState } from "react";

import { cn } from "@/lib/utils";

/** A control's shape without its border colour, for a control whose border turns red on an error. */
export const controlShapeClass = "rounded-md border bg-white px-2 py-2 text-sm";
export const controlClass = `${controlShapeClass} border-slate-300`;

/** A text filter's width: a prop, because cn() adds a caller's classes and would not override "w-48" (lib/utils.ts). */
export type FilterWidth = "w-32" | "w-36" | "w-48" | "w-56";

export function FilterBar({ label, pending, children, className }: { label: string; pending?: boolean; children: React.ReactNode; className?: string }) {
  return (
    <div role="search" aria-label={label} aria-busy={pending} className={cn("mb-4 flex flex-wrap items-end gap-2", className)}>
      {children}
      <span aria-live="polite" className="pb-2 text-xs text-slate-500">
        {pending ? "Updating…" : ""}
      </span>
    </div>
  );
}

export function FilterSelect({
  id,
  label,
  value,
  options,
  anyLabel = "Any",
  onChange,
  className,
}: {
  id: string;
  label: string;
  value: string;
  options: readonly { value: string; label: string }[];
  anyLabel?: string | null;
  onChange: (value: string) => void;
  className?: string;
}) {
  // A value from the URL that is not offered (yet) still shows as selected.
  const all = value && !options.some((o) => o.value === value) ? [{ value, label: value }, ...options] : options;
  return (
    <label htmlFor={id} className="text-xs text-slate-600">
      {label}
      <select id={id} className={cn(controlClass, "block max-w-64", className)} value={value} onChange={(e) => onChange(e.target.value)}>
        {anyLabel !== null ? <option value="">{anyLabel}</option> : null}
        {all.map((o) => (
          <option key={o.value} value={o.value}>
            {o.label}
          </option>
        ))}
      </select>
    </label>
  );
}

export function FilterText({
  id,
  label,
  value,
  onCommit,
  maxLength,
  placeholder,
  width = "w-48",
}: {
  id: string;
  label: string;
  value: string;
  onCommit: (value: string) => void;
  maxLength: number;
  placeholder?: string;
  width?: FilterWidth;
}) {
  const [text, setText] = useState(value);
  const [seen, setSeen] = useState(value);
  if (value !== seen) {
    // The URL changed under us (Back, "Clear", a saved view): show its value.
    setSeen(value);
    setText(value);
  }
  const commit = () => {
    if (text.trim() !== value) onCommit(text.trim());
  };
  return (
    <label htmlFor={id} className="text-xs text-slate-600">
      {label}
      <input
        id={id}
        className={cn(controlClass, "block", width)}
        value={text}
        maxLength={maxLength}
        placeholder={placeholder}
        onChange={(e) => setText(e.target.value)}
        onBlur={commit}
        onKeyDown={(e) => {
          if (e.key === "Enter") {
            e.preventDefault();
            commit();
          }
        }}
      />
    </label>
  );
}
