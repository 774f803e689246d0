"use client";

import { useRef, useState } from "react";

import { useUrlParams } from "@/components/data-table/use-url-params";
import { byOrder, CONNECTION_STATUS, CONNECTION_STATUSES } from "@/lib/vocabulary";

// Search and filters write the URL (the URL is the state): a copied link reproduces the view, Back returns to it.
export function UsersToolbar({ institutions }: { institutions: { id: string; name: string }[] }) {
  const { params, update: updateUrl, pending } = useUrlParams();
  const urlQ = params.get("q") ?? "";
  const [q, setQ] = useState(urlQ);
  const [seenUrlQ, setSeenUrlQ] = useState(urlQ);
  const [pushedQ, setPushedQ] = useState(urlQ);
  const timer = useRef<ReturnType<typeof setTimeout> | undefined>(undefined);

  // The URL changed under us (Back, a link): show its search, unless it is the one we just pushed while typing.
  if (urlQ !== seenUrlQ) {
    setSeenUrlQ(urlQ);
    if (urlQ !== pushedQ) setQ(urlQ);
  }

  function update(changes: Record<string, string>) {
    if ("q" in changes) setPushedQ(changes.q ?? "");
    updateUrl(changes);
  }

  function onSearch(value: string) {
    setQ(value);
    clearTimeout(timer.current);
    timer.current = setTimeout(() => update({ q: value.trim() }), 300);
  }

  const select = "rounded-md border border-slate-300 bg-white px-2 py-2 text-sm";
  return (
    <div className="mb-4 flex flex-col gap-2 md:flex-row md:items-center" aria-busy={pending}>
      <label className="sr-only" htmlFor="user-search">
        Search users
      </label>
      <input
        id="user-search"
        type="search"
        value={q}
        onChange={(e) => onSearch(e.target.value)}
        onKeyDown={(e) => {
          if (e.key === "Enter") {
            clearTimeout(timer.current);
            update({ q: q.trim() });
          }
        }}
        placeholder="User id or prefix, e-mail, mobile, or a name"
        className="w-full rounded-md border border-slate-300 px-3 py-2 text-sm md:max-w-md"
        maxLength={200}
      />
      <div className="flex flex-wrap gap-2">
        <label className="sr-only" htmlFor="status-filter">
          Connection status
        </label>
        <select id="status-filter" className={select} value={params.get("status") ?? ""} onChange={(e) => update({ status: e.target.value })}>
          <option value="">Any connection status</option>
          {[...CONNECTION_STATUSES].sort(byOrder(CONNECTION_STATUS)).map((s) => (
            <option key={s} value={s}>
              Has {/^[aeiou]/.test(s) ? "an" : "a"} {CONNECTION_STATUS[s].label} connection
            </option>
          ))}
        </select>
        <label className="sr-only" htmlFor="institution-filter">
          Institution
        </label>
        <select
          id="institution-filter"
          className={select}
          value={params.get("institution") ?? ""}
          onChange={(e) => update({ institution: e.target.value })}
        >
          <option value="">Any institution</option>
          {institutions.map(({ id, name }) => (
            <option key={id} value={id}>
              {name === id ? id : `${name} (${id})`}
            </option>
          ))}
        </select>
        <label className="sr-only" htmlFor="sort">
          Sort
        </label>
        <select id="sort" className={select} value={params.get("sort") ?? "recent"} onChange={(e) => update({ sort: e.target.value === "recent" ? "" : e.target.value })}>
          <option value="recent">Recently synced</option>
          <option value="status">Worst status first</option>
          <option value="connections">Most connections</option>
          <option value="id">User id</option>
        </select>
        {pending ? <span className="self-center text-xs text-slate-500">Updating…</span> : null}
      </div>
    </div>
  );
}
