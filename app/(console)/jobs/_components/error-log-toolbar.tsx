"use client";

import { DateRangeFilter } from "@/components/list/date-range-filter";
import { FilterBar, FilterSelect, FilterText } from "@/components/list/filter-bar";
import { SavedViews, type SavedViewItem } from "@/components/list/saved-views";
import { useListState } from "@/components/list/use-list-state";
import { errorLogSearchSchema, parsersFor } from "@/lib/search-params";
import { JOB_STEP_TITLE, JOB_STEP_TITLES } from "@/lib/vocabulary";

const parsers = parsersFor(errorLogSearchSchema);
const stepOptions = JOB_STEP_TITLES.map((s) => ({ value: s, label: JOB_STEP_TITLE[s].label }));

export function ErrorLogToolbar({ codes, timeZone, views }: { codes: string[]; timeZone: string; views: SavedViewItem[] }) {
  const { get, update, pending } = useListState(parsers);
  return (
    <FilterBar label="Error log filters" pending={pending}>
      <FilterSelect id="code-filter" label="Error code" value={get("code")} options={codes.map((c) => ({ value: c, label: c }))} onChange={(v) => update({ code: v })} />
      <FilterSelect id="step-filter" label="Failed step" value={get("step")} options={stepOptions} onChange={(v) => update({ step: v })} />
      <FilterText id="institution-filter" label="Institution / connector id" value={get("institution")} placeholder="AU00000" maxLength={32} width="w-36" onCommit={(v) => update({ institution: v })} />
      <FilterText id="user-filter" label="User id" value={get("userId")} maxLength={64} width="w-56" onCommit={(v) => update({ userId: v })} />
      <DateRangeFilter idPrefix="jobs" from={get("from")} to={get("to")} range={get("range")} timeZone={timeZone} update={update} />
      <SavedViews list="jobs" views={views} />
    </FilterBar>
  );
}
