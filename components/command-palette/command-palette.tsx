"use client";

// The command palette (issue 18 item 12, cmdk): ⌘K / Ctrl+K or "/" opens it. Search users by anything the users
// search accepts (e-mail, mobile, name or its first letters, ids), jump to a page the role may open (the nav items
// the server filtered by the policy), reopen a recent item; the keyboard shortcuts are listed in it. Recent items
// live in this tab's sessionStorage only (they name people): closing the tab forgets them.
//
// This module (cmdk and its dialog, ~19 KB gzipped) is in no page's first load (issue 15): the always-present trigger
// (./palette-trigger.tsx) owns the button, the shortcuts and the open state, and imports this on first use.
import { Command } from "cmdk";
import { useRouter } from "next/navigation";
import { useRef, useState, useTransition } from "react";

import { paletteSearchAction, type PaletteUser } from "@/app/(console)/palette-actions";

interface Recent {
  href: string;
  label: string;
}

const RECENT_KEY = "console.palette.recent";
const SHORTCUTS = [
  { keys: "⌘K / Ctrl+K", does: "Open or close this palette" },
  { keys: "/", does: "Open this palette (outside a text field)" },
  { keys: "↑ ↓, Enter", does: "Choose, open" },
  { keys: "Esc", does: "Close" },
];

function readRecent(): Recent[] {
  try {
    const parsed: unknown = JSON.parse(sessionStorage.getItem(RECENT_KEY) ?? "[]");
    return Array.isArray(parsed)
      ? parsed.filter((r): r is Recent => typeof r?.href === "string" && r.href.startsWith("/") && typeof r?.label === "string").slice(0, 8)
      : [];
  } catch {
    return [];
  }
}

function remember(item: Recent) {
  try {
    const next = [item, ...readRecent().filter((r) => r.href !== item.href)].slice(0, 8);
    sessionStorage.setItem(RECENT_KEY, JSON.stringify(next));
  } catch {
    // storage full or disabled: recent items are a convenience
  }
}

export function CommandPaletteDialog({
  pages,
  open,
  onOpenChange,
}: {
  pages: { href: string; label: string }[];
  open: boolean;
  onOpenChange: (open: boolean) => void;
}) {
  const router = useRouter();
  const [query, setQuery] = useState("");
  const [users, setUsers] = useState<PaletteUser[]>([]);
  const [jump, setJump] = useState<{ href: string; label: string } | null>(null);
  const [note, setNote] = useState<string | null>(null);
  const [recent, setRecent] = useState<Recent[]>([]);
  const [shownOpen, setShownOpen] = useState(false);
  const [searching, startSearch] = useTransition();
  const timer = useRef<ReturnType<typeof setTimeout> | undefined>(undefined);
  const asked = useRef("");

  if (open !== shownOpen) {
    // Opened (by the trigger's button or shortcut): show this tab's recent items as they are now.
    setShownOpen(open);
    if (open) setRecent(readRecent());
  }

  function search(value: string) {
    setQuery(value);
    clearTimeout(timer.current);
    const q = value.trim();
    if (q.length < 2) {
      setUsers([]);
      setJump(null);
      setNote(null);
      return;
    }
    timer.current = setTimeout(() => {
      asked.current = q;
      startSearch(async () => {
        const r = await paletteSearchAction({ q });
        if (asked.current !== q) return; // a later search is on its way
        if (r.ok) {
          setUsers(r.data.users);
          setJump(r.data.jump);
          setNote(r.data.refusal);
        } else {
          setUsers([]);
          setJump(null);
          setNote(r.message);
        }
      });
    }, 250);
  }

  function go(item: Recent) {
    remember(item);
    onOpenChange(false);
    setQuery("");
    setUsers([]);
    setJump(null);
    router.push(item.href);
  }

  const itemClass =
    "flex cursor-pointer items-center justify-between gap-3 rounded-md px-3 py-2 text-sm text-slate-800 aria-selected:bg-slate-900 aria-selected:text-white";
  const groupClass = "px-1 py-1 [&_[cmdk-group-heading]]:px-2 [&_[cmdk-group-heading]]:py-1 [&_[cmdk-group-heading]]:text-xs [&_[cmdk-group-heading]]:font-semibold [&_[cmdk-group-heading]]:text-slate-500";

  return (
    <Command.Dialog
      open={open}
      onOpenChange={onOpenChange}
      label="Command palette"
      shouldFilter={false}
      overlayClassName="fixed inset-0 z-40 bg-slate-900/40"
      contentClassName="fixed left-1/2 top-[10vh] z-50 w-[min(40rem,calc(100vw-2rem))] -translate-x-1/2 rounded-lg border border-slate-200 bg-white shadow-2xl"
    >
      <Command.Input
        value={query}
        onValueChange={search}
        placeholder="Search users (name, e-mail, mobile, id) or pages…"
        className="w-full rounded-t-lg border-b border-slate-200 px-4 py-3 text-sm outline-none"
        aria-label="Search users or pages"
      />
      <Command.List className="max-h-[60vh] overflow-y-auto p-1" label="Results">
        {searching ? <Command.Loading label="Searching">Searching…</Command.Loading> : null}
        {note ? <p className="px-3 py-2 text-sm text-amber-800">{note}</p> : null}
        <Command.Empty className="px-3 py-2 text-sm text-slate-600">{query.trim().length >= 2 && !searching ? "Nothing found." : "Type to search."}</Command.Empty>
        {jump ? (
          <Command.Group heading="Go to" className={groupClass}>
            <Command.Item value={`jump ${jump.href}`} onSelect={() => go(jump)} className={itemClass}>
              {jump.label}
            </Command.Item>
          </Command.Group>
        ) : null}
        {users.length > 0 ? (
          <Command.Group heading="Users" className={groupClass}>
            {users.map((u) => (
              <Command.Item key={u.id} value={`user ${u.id}`} onSelect={() => go({ href: u.href, label: u.name ?? u.id })} className={itemClass} data-testid="palette-user">
                <span>{u.name ?? "(no name)"}</span>
                <span className="truncate font-mono text-xs opacity-75">{u.detail || u.id}</span>
              </Command.Item>
            ))}
          </Command.Group>
        ) : null}
        <Command.Group heading="Pages" className={groupClass}>
          {pages
            .filter((p) => !query.trim() || p.label.toLowerCase().includes(query.trim().toLowerCase()))
            .map((p) => (
              <Command.Item key={p.href} value={`page ${p.href}`} onSelect={() => go(p)} className={itemClass}>
                {p.label}
              </Command.Item>
            ))}
        </Command.Group>
        {!query.trim() && recent.length > 0 ? (
          <Command.Group heading="Recent" className={groupClass}>
            {recent.map((r) => (
              <Command.Item key={r.href} value={`recent ${r.href}`} onSelect={() => go(r)} className={itemClass}>
                {r.label}
              </Command.Item>
            ))}
          </Command.Group>
        ) : null}
        {!query.trim() ? (
          <Command.Group heading="Keyboard shortcuts" className={groupClass}>
            {SHORTCUTS.map((s) => (
              <Command.Item key={s.keys} value={`shortcut ${s.keys}`} disabled className="flex justify-between px-3 py-1.5 text-sm text-slate-700">
                <span>{s.does}</span>
                <kbd className="rounded border border-slate-300 px-1 text-xs">{s.keys}</kbd>
              </Command.Item>
            ))}
          </Command.Group>
        ) : null}
      </Command.List>
    </Command.Dialog>
  );
}
