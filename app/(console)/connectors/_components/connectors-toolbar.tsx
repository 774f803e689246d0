"use client";

// The connectors list's filters, on the list kit (issue 18 item 10): the URL is the state (nuqs, with the parsers
// the page reads on the server), so a copied link reproduces the view. The refresh button sits beside them.
import { useTransition } from "react";
import { useRouter } from "next/navigation";

import { FilterBar, FilterSelect, FilterText } from "@/components/list/filter-bar";
import { useListState } from "@/components/list/use-list-state";
import { Button } from "@/components/ui/button";
import { useToast } from "@/components/ui/toast";
import type { ActionResult } from "@/lib/actions/result";
import { connectorsSearchSchema, parsersFor } from "@/lib/search-params";
import { CONNECTOR_METHOD, CONNECTOR_STAGE, CONNECTOR_STATUS } from "@/lib/vocabulary";

const parsers = parsersFor(connectorsSearchSchema);

const optionsOf = (vocabulary: Record<string, { label: string; order: number }>) =>
  Object.entries(vocabulary)
    .sort(([, a], [, b]) => a.order - b.order)
    .map(([value, info]) => ({ value, label: info.label }));

const selects = [
  { key: "status", label: "Status", options: optionsOf(CONNECTOR_STATUS) },
  { key: "stage", label: "Stage", options: optionsOf(CONNECTOR_STAGE) },
  { key: "method", label: "Method", options: optionsOf(CONNECTOR_METHOD) },
] as const;

const sortOptions = [
  { value: "attention", label: "Needs attention first" },
  { value: "failures", label: "Most failures (24 h)" },
  { value: "name", label: "Name" },
  { value: "tier", label: "Tier" },
];

export function ConnectorsToolbar({
  refresh,
  unavailable = null,
}: {
  refresh: ((input: Record<string, never>) => Promise<ActionResult<void>>) | null;
  /** Why the refresh is off (Basiq cannot be reached), shown beside it. */
  unavailable?: string | null;
}) {
  const { get, update, pending } = useListState(parsers, []);
  const [refreshing, startRefresh] = useTransition();
  const router = useRouter();
  const toast = useToast();
  return (
    <FilterBar label="Connector filters" pending={pending}>
      <FilterText id="connector-search" label="Search" value={get("q")} maxLength={100} placeholder="Bank name or connector id" width="w-56" onCommit={(v) => update({ q: v })} />
      {selects.map((s) => (
        <FilterSelect key={s.key} id={`f-${s.key}`} label={s.label} value={get(s.key)} options={s.options} onChange={(v) => update({ [s.key]: v })} />
      ))}
      <FilterSelect
        id="f-sort"
        label="Sort"
        value={get("sort") || "attention"}
        options={sortOptions}
        anyLabel={null}
        onChange={(v) => update({ sort: v === "attention" ? null : v })}
      />
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
        <span className="pb-2 text-sm text-amber-800" data-testid="actions-unavailable">
          {unavailable}
        </span>
      ) : null}
    </FilterBar>
  );
}
