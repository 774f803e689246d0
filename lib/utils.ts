// Small shared helpers. Dates, counts and money are formatted by lib/format.ts.
import { clsx, type ClassValue } from "clsx";

/**
 * Class names: clsx's conditionals and joins, nothing more. There is deliberately no tailwind-merge here (it was
 * 8.8 KB gzipped of every page's first-load JavaScript, issue 15): a caller's `className` ADDS to a component's own
 * utilities and never overrides one — which of two conflicting utilities wins would depend on the stylesheet's order,
 * not on the order of the arguments. Where a caller needs a different padding, border or width, the component offers
 * a prop for it (Button `size`, Card `tone`, FilterText `width`). test/ui-class-conflicts.test.ts reads every
 * `cn(...)` and every className passed to a component and fails on a conflicting pair.
 */
export function cn(...classes: ClassValue[]): string {
  return clsx(classes);
}
