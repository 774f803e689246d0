// Light, dark, or the system's setting: kept in a "theme" cookie (a display preference, not a secret) so the server
// renders <html class> right on the first paint. Client-safe.
export const themes = ["system", "light", "dark"] as const;
export type Theme = (typeof themes)[number];

export function parseTheme(value: string | undefined): Theme {
  return (themes as readonly string[]).includes(value ?? "") ? (value as Theme) : "system";
}

/** The class on <html>: "" follows the system (prefers-color-scheme), "light" / "dark" override it. */
export function themeClass(value: string | undefined): "" | "light" | "dark" {
  const t = parseTheme(value);
  return t === "system" ? "" : t;
}
