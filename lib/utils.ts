// Small shared helpers. Dates, counts and money are formatted by lib/format.ts.
import { clsx, type ClassValue } from "clsx";
import { twMerge } from "tailwind-merge";

/** Class names: clsx's conditionals, then tailwind-merge so a later utility wins ("px-2" over "px-4"). */
export function cn(...classes: ClassValue[]): string {
  return twMerge(clsx(classes));
}
