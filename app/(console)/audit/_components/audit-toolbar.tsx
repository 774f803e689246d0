"use client";

import { DateRangeFilter } from "@/components/list/date-range-filter";
import { FilterBar, FilterSelect, FilterText } from "@/components/list/filter-bar";
import { SavedViews, type SavedViewItem } from "@/components/list/saved-views";
import { useListState } from "@/components/list/use-list-state";
import { auditSearchSchema, parsersFor } from "@/lib/search-params";

const parsers = parsersFor(auditSearchSchema);

const textFilters = [
  { key: "actor", label: "Actor e-mail", width: "w-56", maxLength: 254, placeholder: "someone@company.com" },
  { key: "userId", label: "User id", width: "w-48", maxLength: 64 },
  { key: "connectionId", label: "Connection id", width: "w-48", maxLength: 64 },
  { key: "jobId", label: "Job id", width: "w-48", maxLength: 64 },
] as const;

const allKeys = ["actor", "action", "outcome", "userId", "connectionId", "jobId", "from", "to", "range"];

/** The audit log's filters, all in the URL through the list kit. Text fields apply on Enter or on leaving them. */
export function AuditToolbar({ actions, outcomes, timeZone, views }: { actions: string[]; outcomes: readonly string[]; timeZone: string; views: SavedViewItem[] }) {
  const { get, update, pending } = useListState(parsers);
  const anySet = allKeys.some((k) => get(k));
  return (
    <FilterBar label="Audit log filters" pending={pending}>
      <FilterSelect id="action-filter" label="Action" value={get("action")} options={actions.map((a) => ({ value: a, label: a }))} onChange={(v) => update({ action: v })} />
      <FilterSelect id="outcome-filter" label="Outcome" value={get("outcome")} options={outcomes.map((o) => ({ value: o, label: o }))} onChange={(v) => update({ outcome: v })} />
      {textFilters.map((f) => (
        <FilterText
          key={f.key}
          id={`${f.key}-filter`}
          label={f.label}
          value={get(f.key)}
          maxLength={f.maxLength}
          placeholder={"placeholder" in f ? f.placeholder : undefined}
          width={f.width}
          onCommit={(v) => update({ [f.key]: v })}
        />
      ))}
      <DateRangeFilter idPrefix="audit" from={get("from")} to={get("to")} range={get("range")} timeZone={timeZone} update={update} />
      {anySet ? (
        <button type="button" onClick={() => update(Object.fromEntries(allKeys.map((k) => [k, null])))} className="pb-2 text-sm text-sky-700 hover:underline">
          Clear filters
        </button>
      ) : null}
      <SavedViews list="audit" views={views} />
    </FilterBar>
  );
}
