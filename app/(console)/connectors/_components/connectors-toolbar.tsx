"use client";

import { useState, useTransition } from "react";
import { useRouter } from "next/navigation";

import { useUrlParams } from "@/components/data-table/use-url-params";
import { Button } from "@/components/ui/button";
import { useToast } from "@/components/ui/toast";
import type { ActionResult } from "@/lib/actions/result";
import { CONNECTOR_METHOD, CONNECTOR_STAGE, CONNECTOR_STATUS } from "@/lib/vocabulary";

export function ConnectorsToolbar({
  refresh,
  unavailable = null,
}: {
  refresh: ((input: Record<string, never>) => Promise<ActionResult<void>>) | null;
  /** Why the refresh is off (Basiq cannot be reached), shown beside it. */
  unavailable?: string | null;
}) {
  const { params, update, pending } = useUrlParams([]);
  const [q, setQ] = useState(params.get("q") ?? "");
  const [refreshing, startRefresh] = useTransition();
  const router = useRouter();
  const toast = useToast();
  const control = "rounded-md border border-slate-300 bg-white px-2 py-2 text-sm";
  return (
    <div className="mb-4 flex flex-col gap-2 md:flex-row md:flex-wrap md:items-center" aria-busy={pending}>
      <label className="sr-only" htmlFor="connector-search">
        Search connectors
      </label>
      <input
        id="connector-search"
        type="search"
        value={q}
        maxLength={100}
        placeholder="Bank name or connector id"
        className={`${control} w-full md:w-64`}
        onChange={(e) => setQ(e.target.value)}
        onKeyDown={(e) => e.key === "Enter" && update({ q: q.trim() })}
        onBlur={() => update({ q: q.trim() })}
      />
      <div className="flex flex-wrap gap-2">
        {(
          [
            ["status", "Status", CONNECTOR_STATUS],
            ["stage", "Stage", CONNECTOR_STAGE],
            ["method", "Method", CONNECTOR_METHOD],
          ] as const
        ).map(([name, label, options]) => (
          <span key={name}>
            <label className="sr-only" htmlFor={`f-${name}`}>
              {label}
            </label>
            <select id={`f-${name}`} className={control} value={params.get(name) ?? ""} onChange={(e) => update({ [name]: e.target.value })}>
              <option value="">Any {label.toLowerCase()}</option>
              {Object.entries(options as Record<string, { label: string; order: number }>)
                .sort(([, a], [, b]) => a.order - b.order)
                .map(([value, info]) => (
                  <option key={value} value={value}>
                    {info.label}
                  </option>
                ))}
            </select>
          </span>
        ))}
        <label className="sr-only" htmlFor="f-sort">
          Sort
        </label>
        <select id="f-sort" className={control} value={params.get("sort") ?? "attention"} onChange={(e) => update({ sort: e.target.value === "attention" ? "" : e.target.value })}>
          <option value="attention">Needs attention first</option>
          <option value="failures">Most failures (24 h)</option>
          <option value="name">Name</option>
          <option value="tier">Tier</option>
        </select>
        {refresh ? (
          <Button
            variant="secondary"
            disabled={refreshing || !!unavailable}
            title={unavailable ?? undefined}
            onClick={() =>
              startRefresh(async () => {
                const r = await refresh({});
                toast(r.ok ? "success" : "error", r.message ?? (r.ok ? "Refreshed." : "Refresh failed."));
                router.refresh();
              })
            }
          >
            {refreshing ? "Asking Basiq…" : "Refresh now"}
          </Button>
        ) : null}
        {refresh && unavailable ? (
          <span className="text-sm text-amber-800" data-testid="actions-unavailable">
            {unavailable}
          </span>
        ) : null}
      </div>
    </div>
  );
}
