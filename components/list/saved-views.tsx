"use client";

import "@/lib/zod-config";

// Saved views (issue 18 item 10): open one of your saved filter sets, save the current one under a name, delete one.
// Kept per staff member on the server (lib/dal/saved-views.ts); the list's own parsers decide what a view keeps.
import { useState, useTransition } from "react";
import { useRouter, useSearchParams } from "next/navigation";

import { deleteViewAction, saveViewAction } from "@/app/(console)/saved-views/actions";
import { Button } from "@/components/ui/button";
import { useToast } from "@/components/ui/toast";
import type { SavedViewList } from "@/lib/list/saved-views";
import { cn } from "@/lib/utils";

import { controlClass } from "./filter-bar";

export interface SavedViewItem {
  id: string;
  name: string;
  href: string;
}

export function SavedViews({ list, views }: { list: SavedViewList; views: SavedViewItem[] }) {
  const router = useRouter();
  const params = useSearchParams();
  const toast = useToast();
  const [pending, startTransition] = useTransition();
  const [naming, setNaming] = useState(false);
  const [name, setName] = useState("");
  const [selected, setSelected] = useState("");
  const selectedView = views.find((v) => v.id === selected);

  function save() {
    startTransition(async () => {
      // The address bar is the list's state (nuqs writes it): read it as it is now.
      const r = await saveViewAction({ list, name, query: window.location.search || params.toString() });
      toast(r.ok ? "success" : "error", r.ok ? (r.message ?? "Saved.") : `${r.message}${r.fieldErrors?.name ? ` ${r.fieldErrors.name.join(" ")}` : ""}`);
      if (r.ok) {
        setNaming(false);
        setName("");
        setSelected(r.data.id);
        router.refresh();
      }
    });
  }

  function remove(view: SavedViewItem) {
    startTransition(async () => {
      const r = await deleteViewAction({ id: view.id });
      toast(r.ok ? "success" : "error", r.ok ? `Deleted "${view.name}".` : r.message);
      if (r.ok) {
        setSelected("");
        router.refresh();
      }
    });
  }

  return (
    <div className="flex flex-wrap items-end gap-2" data-testid="saved-views">
      <label htmlFor={`${list}-saved-view`} className="text-xs text-slate-600">
        Saved views
        <select
          id={`${list}-saved-view`}
          className={cn(controlClass, "block max-w-56")}
          value={selected}
          onChange={(e) => {
            setSelected(e.target.value);
            const view = views.find((v) => v.id === e.target.value);
            if (view) router.push(view.href);
          }}
        >
          <option value="">{views.length ? "Choose a view…" : "None saved yet"}</option>
          {views.map((v) => (
            <option key={v.id} value={v.id}>
              {v.name}
            </option>
          ))}
        </select>
      </label>
      {selectedView ? (
        <Button type="button" variant="ghost" disabled={pending} onClick={() => remove(selectedView)} aria-label={`Delete saved view ${selectedView.name}`}>
          Delete
        </Button>
      ) : null}
      {naming ? (
        <form
          className="flex items-end gap-2"
          onSubmit={(e) => {
            e.preventDefault();
            save();
          }}
        >
          <label htmlFor={`${list}-view-name`} className="text-xs text-slate-600">
            View name
            <input
              id={`${list}-view-name`}
              autoFocus
              className={cn(controlClass, "block w-48")}
              value={name}
              maxLength={60}
              onChange={(e) => setName(e.target.value)}
              onKeyDown={(e) => e.key === "Escape" && setNaming(false)}
            />
          </label>
          <Button type="submit" variant="secondary" disabled={pending || !name.trim()}>
            Save
          </Button>
          <Button type="button" variant="ghost" onClick={() => setNaming(false)}>
            Cancel
          </Button>
        </form>
      ) : (
        <Button type="button" variant="secondary" onClick={() => setNaming(true)}>
          Save view…
        </Button>
      )}
    </div>
  );
}
