"use client";

import { FilterBar, FilterSelect, FilterText } from "@/components/list/filter-bar";
import { useListState } from "@/components/list/use-list-state";
import { parsersFor, staffSearchSchema } from "@/lib/search-params";

const parsers = parsersFor(staffSearchSchema);

export function StaffToolbar() {
  const { get, update, pending } = useListState(parsers, []);
  return (
    <FilterBar label="Filter staff" pending={pending}>
      <FilterText id="staff-search" label="Name or e-mail" value={get("q")} maxLength={100} width="w-56" onCommit={(v) => update({ q: v })} />
      <FilterSelect
        id="staff-role-filter"
        label="Role"
        value={get("role")}
        options={["admin", "support", "staff"].map((r) => ({ value: r, label: r }))}
        onChange={(v) => update({ role: v })}
      />
      <FilterSelect
        id="staff-status-filter"
        label="Status"
        value={get("status")}
        options={["active", "disabled"].map((s) => ({ value: s, label: s }))}
        onChange={(v) => update({ status: v })}
      />
    </FilterBar>
  );
}
