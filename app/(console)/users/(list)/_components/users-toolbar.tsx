"use client";

import { useRef, useState } from "react";

import { FilterBar, FilterSelect } from "@/components/list/filter-bar";
import { SavedViews, type SavedViewItem } from "@/components/list/saved-views";
import { useListState } from "@/components/list/use-list-state";
import { parsersFor, usersSearchSchema } from "@/lib/search-params";
import { byOrder, CONNECTION_STATUS, CONNECTION_STATUSES } from "@/lib/vocabulary";

const parsers = parsersFor(usersSearchSchema);
const statusOptions = [...CONNECTION_STATUSES].sort(byOrder(CONNECTION_STATUS)).map((s) => ({
  value: s,
  label: `Has ${/^[aeiou]/.test(s) ? "an" : "a"} ${CONNECTION_STATUS[s].label} connection`,
}));

// Search and filters write the URL through the list kit (nuqs): a copied link reproduces the view, Back returns to it.
export function UsersToolbar({ institutions, views }: { institutions: { id: string; name: string }[]; views: SavedViewItem[] }) {
  const { get, update, pending } = useListState(parsers);
  const urlQ = get("q");
  const [q, setQ] = useState(urlQ);
  const [seenUrlQ, setSeenUrlQ] = useState(urlQ);
  const [pushedQ, setPushedQ] = useState(urlQ);
  const timer = useRef<ReturnType<typeof setTimeout> | undefined>(undefined);

  // The URL changed under us (Back, a link, a saved view): show its search, unless it is the one we just pushed.
  if (urlQ !== seenUrlQ) {
    setSeenUrlQ(urlQ);
    if (urlQ !== pushedQ) setQ(urlQ);
  }

  function pushQ(value: string) {
    setPushedQ(value);
    update({ q: value });
  }

  return (
    <FilterBar label="Search and filter users" pending={pending}>
      <label htmlFor="user-search" className="w-full text-xs text-slate-600 md:w-auto md:flex-1">
        Search users
        <input
          id="user-search"
          type="search"
          value={q}
          onChange={(e) => {
            setQ(e.target.value);
            clearTimeout(timer.current);
            const value = e.target.value.trim();
            timer.current = setTimeout(() => pushQ(value), 300);
          }}
          onKeyDown={(e) => {
            if (e.key === "Enter") {
              clearTimeout(timer.current);
              pushQ(q.trim());
            }
          }}
          placeholder="Name, e-mail, mobile, id or bank"
          className="block w-full rounded-md border border-slate-300 px-3 py-2 text-sm md:max-w-md"
          maxLength={200}
        />
      </label>
      <FilterSelect id="status-filter" label="Connection status" anyLabel="Any connection status" value={get("status")} options={statusOptions} onChange={(v) => update({ status: v })} />
      <FilterSelect
        id="institution-filter"
        label="Bank"
        anyLabel="Any bank"
        value={get("institution")}
        options={institutions.map(({ id, name }) => ({ value: id, label: name === id ? id : `${name} (${id})` }))}
        onChange={(v) => update({ institution: v })}
      />
      <SavedViews list="users" views={views} />
    </FilterBar>
  );
}
