"use client";

import Link from "next/link";
import { usePathname } from "next/navigation";
import { useState } from "react";

import { cn } from "@/lib/utils";

/**
 * The console's sections. Wide screens: a vertical list. Phones: a "Menu" button that opens the same full list
 * (every section the role may open; a scrolling strip used to hide "Audit log" and "Staff" off-screen).
 */
export function SidebarNav({ items }: { items: { href: string; label: string }[] }) {
  const pathname = usePathname();
  const [open, setOpen] = useState(false);
  return (
    <>
      <button
        type="button"
        className="mb-2 inline-flex items-center gap-2 rounded-md border border-slate-300 px-3 py-2 text-sm font-medium text-slate-800 hover:bg-slate-100 focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-sky-600 md:hidden"
        aria-expanded={open}
        aria-controls="main-nav"
        onClick={() => setOpen((v) => !v)}
      >
        <span aria-hidden>{open ? "✕" : "☰"}</span> Menu
      </button>
      <nav id="main-nav" aria-label="Main" className={cn("flex-col gap-1 md:flex", open ? "flex" : "hidden")}>
        {items.map((item) => {
          const active = item.href === "/" ? pathname === "/" : pathname === item.href || pathname.startsWith(`${item.href}/`);
          return (
            <Link
              key={item.href}
              href={item.href}
              aria-current={active ? "page" : undefined}
              onClick={() => setOpen(false)}
              className={cn(
                "whitespace-nowrap rounded-md px-3 py-2 text-sm font-medium focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-sky-600",
                active ? "bg-slate-900 text-white" : "text-slate-700 hover:bg-slate-200",
              )}
            >
              {item.label}
            </Link>
          );
        })}
      </nav>
    </>
  );
}
