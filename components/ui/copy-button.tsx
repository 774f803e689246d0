"use client";

import { useState } from "react";

import { cn } from "@/lib/utils";

/** A small button that copies `value` (an id) to the clipboard and says so. */
export function CopyButton({ value, label = "Copy id", className }: { value: string; label?: string; className?: string }) {
  const [copied, setCopied] = useState(false);
  return (
    <button
      type="button"
      className={cn(
        "rounded border border-slate-300 px-1.5 py-0.5 text-xs text-slate-700 hover:bg-slate-100 focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-sky-600",
        className,
      )}
      aria-label={`${label} ${value}`}
      onClick={async () => {
        try {
          await navigator.clipboard.writeText(value);
          setCopied(true);
          setTimeout(() => setCopied(false), 1500);
        } catch {
          setCopied(false);
        }
      }}
    >
      {copied ? "Copied" : "Copy"}
    </button>
  );
}

/** An id shown as secondary text with a copy button. */
export function IdWithCopy({ id, label = "Copy id" }: { id: string; label?: string }) {
  return (
    <span className="inline-flex items-center gap-1.5">
      <code className="font-mono text-xs text-slate-600">{id}</code>
      <CopyButton value={id} label={label} />
    </span>
  );
}
