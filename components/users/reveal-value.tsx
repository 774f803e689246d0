"use client";

import { useState, useTransition } from "react";

import { useToast } from "@/components/ui/toast";
import type { ActionResult } from "@/lib/actions/result";

// A masked value with a "Reveal" button for roles allowed to reveal. Each reveal is one audited server call.
export function RevealValue({
  masked,
  canReveal,
  reveal,
  label,
}: {
  masked: string | null;
  canReveal: boolean;
  reveal: () => Promise<ActionResult<string | null>>;
  label: string;
}) {
  const [value, setValue] = useState<string | null>(null);
  const [pending, startTransition] = useTransition();
  const toast = useToast();
  if (!masked) return <span className="text-slate-400">—</span>;
  return (
    <span className="inline-flex items-center gap-2">
      <span className="font-mono text-xs">{value ?? masked}</span>
      {canReveal && value === null ? (
        <button
          type="button"
          disabled={pending}
          aria-label={`Reveal ${label}`}
          className="text-xs font-medium text-sky-700 hover:underline disabled:text-slate-400"
          onClick={() =>
            startTransition(async () => {
              const result = await reveal();
              if (result.ok) setValue(result.data ?? "—");
              else toast("error", result.message);
            })
          }
        >
          {pending ? "…" : "Reveal"}
        </button>
      ) : null}
    </span>
  );
}
