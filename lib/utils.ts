// Small shared helpers: class names and formatting (dates shown in the viewer's locale, stored in UTC).
export function cn(...classes: (string | false | null | undefined)[]): string {
  return classes.filter(Boolean).join(" ");
}

const dateTime = new Intl.DateTimeFormat("en-AU", {
  dateStyle: "medium",
  timeStyle: "short",
  timeZone: "Australia/Sydney",
});

export function formatDateTime(value: Date | string | number | null | undefined): string {
  if (value === null || value === undefined) return "—";
  const d = value instanceof Date ? value : new Date(value);
  return Number.isNaN(d.getTime()) ? "—" : dateTime.format(d);
}

export function formatRelative(value: Date | string | number | null | undefined, now = Date.now()): string {
  if (value === null || value === undefined) return "never";
  const d = value instanceof Date ? value : new Date(value);
  const seconds = Math.round((now - d.getTime()) / 1000);
  if (Number.isNaN(seconds)) return "—";
  const abs = Math.abs(seconds);
  const [n, unit] =
    abs < 60 ? [abs, "s"] : abs < 3600 ? [Math.round(abs / 60), "min"] : abs < 86400 ? [Math.round(abs / 3600), "h"] : [Math.round(abs / 86400), "d"];
  return seconds >= 0 ? `${n} ${unit} ago` : `in ${n} ${unit}`;
}
