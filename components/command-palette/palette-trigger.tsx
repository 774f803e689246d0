"use client";

// The command palette's always-present part (issue 15: the console's own first-load JavaScript). The palette itself
// (cmdk, ~19 KB gzipped) is imported on first use: when the button is pointed at or focused (so it is usually there by
// the click), or when ⌘K / Ctrl+K or "/" is pressed. The open state lives here, so a shortcut pressed before the
// chunk has arrived is not lost: the dialog mounts already open and moves focus into its input.
import dynamic from "next/dynamic";
import { useEffect, useState } from "react";

const loadPalette = () => import("./command-palette");
const CommandPaletteDialog = dynamic(() => loadPalette().then((m) => m.CommandPaletteDialog), { ssr: false });

function typingInField(target: EventTarget | null): boolean {
  const el = target as HTMLElement | null;
  return !!el && (el.isContentEditable || ["INPUT", "TEXTAREA", "SELECT"].includes(el.tagName));
}

function preload() {
  // A failed preload is retried by the dialog's own import when it is opened.
  loadPalette().catch(() => undefined);
}

export function CommandPalette({ pages }: { pages: { href: string; label: string }[] }) {
  const [open, setOpen] = useState(false);
  // Mounted on first use and kept mounted afterwards (as before: the search typed last time stays).
  const [used, setUsed] = useState(false);

  useEffect(() => {
    function onKey(e: KeyboardEvent) {
      if ((e.metaKey || e.ctrlKey) && e.key.toLowerCase() === "k") {
        e.preventDefault();
        setUsed(true);
        setOpen((v) => !v);
      } else if (e.key === "/" && !e.metaKey && !e.ctrlKey && !e.altKey && !typingInField(e.target)) {
        e.preventDefault();
        setUsed(true);
        setOpen(true);
      }
    }
    document.addEventListener("keydown", onKey);
    return () => document.removeEventListener("keydown", onKey);
  }, []);

  return (
    <>
      <button
        type="button"
        onClick={() => {
          setUsed(true);
          setOpen(true);
        }}
        onPointerEnter={preload}
        onFocus={preload}
        className="mt-2 flex w-full items-center justify-between gap-2 rounded-md border border-slate-300 bg-white px-3 py-2 text-sm text-slate-700 hover:bg-slate-100 focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-sky-600"
        aria-keyshortcuts="Meta+K Control+K /"
        data-testid="palette-open"
      >
        <span>Search or jump…</span>
        <kbd className="rounded border border-slate-300 px-1 text-xs text-slate-600">⌘K</kbd>
      </button>
      {used ? <CommandPaletteDialog pages={pages} open={open} onOpenChange={setOpen} /> : null}
    </>
  );
}
