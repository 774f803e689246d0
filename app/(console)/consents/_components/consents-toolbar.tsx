"use client";

// The expiring consents' filters on the list kit: the window and the user id live in the URL (nuqs, with the
// parsers the page reads on the server).
import { FilterBar, FilterSelect, FilterText } from "@/components/list/filter-bar";
import { useListState } from "@/components/list/use-list-state";
import { CONSENT_WINDOWS, consentsSearchSchema, parsersFor } from "@/lib/search-params";

const parsers = parsersFor(consentsSearchSchema);
const windowOptions = CONSENT_WINDOWS.map((d) => ({ value: String(d), label: d === 1 ? "the next 24 hours" : `the next ${d} days` }));

export function ConsentsToolbar() {
  const { get, update, pending } = useListState(parsers, ["page"]);
  return (
    <FilterBar label="Expiring consent filters" pending={pending}>
      <FilterSelect
        id="consents-within"
        label="Expiring within"
        value={get("within") || "7"}
        options={windowOptions}
        anyLabel={null}
        onChange={(v) => update({ within: v === "7" ? null : v })}
      />
      <FilterText id="consents-user" label="User id" value={get("userId")} maxLength={64} width="w-56" onCommit={(v) => update({ userId: v })} />
    </FilterBar>
  );
}
