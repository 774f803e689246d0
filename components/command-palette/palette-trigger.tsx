"use client";

// The command palette's always-present part (issue 15: the console's own first-load JavaScript). The palette itself
// (cmdk, ~19 KB gzipped) is imported on first use: when the button is pointed at or focused (so it is usually there by
// the click), or when ⌘K / Ctrl+K or "/" is pressed. The open state lives here, so a shortcut pressed before the
// chunk has arrived is not lost: the dialog mounts already open and moves focus into its input. A plain import()
// into state rather than next/dynamic (whose loader is ~2 KB more on every page) or React.lazy (a failed chunk load
// would reach the page's error boundary): if the chunk cannot be loaded, a toast says so and the next try imports
// it again.
import { useCallback, useEffect, useRef, useState } from "react";

import { useToast } from "@/components/ui/toast";

import type { CommandPaletteDialog as Dialog } from "./command-palette";

function typingInField(target: EventTarget | null): boolean {
  const el = target as HTMLElement | null;
  return !!el && (el.isContentEditable || ["INPUT", "TEXTAREA", "SELECT"].includes(el.tagName));
}

export function CommandPalette({ pages }: { pages: { href: string; label: string }[] }) {
  const toast = useToast();
  const [open, setOpen] = useState(false);
  // Loaded on first use and kept mounted afterwards (as before: the search typed last time stays).
  const [Palette, setPalette] = useState<typeof Dialog | null>(null);
  const started = useRef(false); // the import is under way or done
  const waiting = useRef(false); // someone asked to open it (not just pointed at the button)

  const load = useCallback(
    (opening: boolean) => {
      if (opening) waiting.current = true;
      if (started.current) return;
      started.current = true;
      import("./command-palette").then(
        (m) => setPalette(() => m.CommandPaletteDialog),
        () => {
          started.current = false; // the next try imports it again
          if (waiting.current) {
            waiting.current = false;
            setOpen(false);
            toast("error", "The command palette could not be loaded. Check the connection and try again.");
          }
        },
      );
    },
    [toast],
  );

  useEffect(() => {
    function onKey(e: KeyboardEvent) {
      if ((e.metaKey || e.ctrlKey) && e.key.toLowerCase() === "k") {
        e.preventDefault();
        load(true);
        setOpen((v) => !v);
      } else if (e.key === "/" && !e.metaKey && !e.ctrlKey && !e.altKey && !typingInField(e.target)) {
        e.preventDefault();
        load(true);
        setOpen(true);
      }
    }
    document.addEventListener("keydown", onKey);
    return () => document.removeEventListener("keydown", onKey);
  }, [load]);

  return (
    <>
      <button
        type="button"
        onClick={() => {
          load(true);
          setOpen(true);
        }}
        onPointerEnter={() => load(false)}
        onFocus={() => load(false)}
        className="mt-2 flex w-full items-center justify-between gap-2 rounded-md border border-slate-300 bg-white px-3 py-2 text-sm text-slate-700 hover:bg-slate-100 focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-sky-600"
        aria-keyshortcuts="Meta+K Control+K /"
        data-testid="palette-open"
      >
        <span>Search or jump…</span>
        <kbd className="rounded border border-slate-300 px-1 text-xs text-slate-600">⌘K</kbd>
      </button>
      {Palette ? <Palette pages={pages} open={open} onOpenChange={setOpen} /> : null}
    </>
  );
}
