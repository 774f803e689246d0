"use client";

import { useState } from "react";

import { parseTheme, themeClass, type Theme } from "@/lib/theme";

const labels: Record<Theme, string> = { system: "System", light: "Light", dark: "Dark" };

/** Theme: follow the system, or light / dark. Saved in a cookie for a year; applied at once, and by the server next time. */
export function ThemeToggle({ initial }: { initial: string }) {
  const [theme, setTheme] = useState<Theme>(parseTheme(initial));
  return (
    <label className="flex items-center gap-2 text-xs text-slate-600">
      Theme
      <select
        className="rounded-md border border-slate-300 bg-white px-2 py-1 text-xs text-slate-900"
        value={theme}
        onChange={(e) => {
          const next = parseTheme(e.target.value);
          setTheme(next);
          document.cookie = `theme=${next}; path=/; max-age=31536000; samesite=lax`;
          const root = document.documentElement;
          root.classList.remove("light", "dark");
          const cls = themeClass(next);
          if (cls) root.classList.add(cls);
          root.dataset.theme = next;
        }}
      >
        {(Object.keys(labels) as Theme[]).map((t) => (
          <option key={t} value={t}>
            {labels[t]}
          </option>
        ))}
      </select>
    </label>
  );
}
