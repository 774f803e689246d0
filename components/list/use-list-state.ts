"use client";

import "@/lib/zod-config";

// The list kit's URL state (issue 18 item 10): nuqs, with the list's own parsers (lib/search-params.ts, the same
// ones its page and export read on the server). Every change re-renders the server page in a transition (pending
// shows "Updating…") and resets the pagination; the URL stays the state, so a copied link reproduces the view.
import { useTransition } from "react";
import { useQueryStates, type ParserMap } from "nuqs";

export type ListChanges = Record<string, string | number | null | undefined>;

export function useListState(parsers: ParserMap, resetKeys: readonly string[] = ["page", "before", "after"]) {
  const [pending, startTransition] = useTransition();
  const [state, setState] = useQueryStates(parsers, { shallow: false, history: "replace", startTransition, scroll: false });

  function update(changes: ListChanges) {
    const next: Record<string, string | number | null> = {};
    for (const [key, value] of Object.entries(changes)) next[key] = value === "" || value === undefined ? null : value;
    for (const key of resetKeys) if (!(key in changes) && key in parsers) next[key] = null;
    void setState(next as never);
  }

  /** The current value of a key as text ("" when unset), for inputs and selects. */
  function get(key: string): string {
    const v = (state as Record<string, unknown>)[key];
    return v === null || v === undefined ? "" : String(v);
  }

  return { state, get, update, pending };
}
