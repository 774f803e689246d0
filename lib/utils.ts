// Small shared helpers. Dates, counts and money are formatted by lib/format.ts.
export function cn(...classes: (string | false | null | undefined)[]): string {
  return classes.filter(Boolean).join(" ");
}
