// How long a toast stays and what it offers, decided from its tone and message (a pure function, unit-tested).
// An error that carries a Basiq reference stays until dismissed, with a button to copy the reference: support
// quote it to Basiq, so it must not vanish while someone reaches for the clipboard.
export type ToastTone = "success" | "error" | "info";

const REFERENCE = /Basiq reference:\s*([A-Za-z0-9_.:-]{4,100}?)\.?(?:\s|$)/;

export function basiqReference(message: string): string | null {
  return REFERENCE.exec(message)?.[1] ?? null;
}

export interface ToastPlan {
  /** Milliseconds, or Infinity: until dismissed. */
  duration: number;
  closeButton: boolean;
  /** The Basiq reference to offer for copying, if any. */
  copy: string | null;
}

export function toastPlan(tone: ToastTone, message: string): ToastPlan {
  const reference = tone === "error" ? basiqReference(message) : null;
  if (reference) return { duration: Number.POSITIVE_INFINITY, closeButton: true, copy: reference };
  return { duration: tone === "error" ? 10_000 : 6_000, closeButton: true, copy: null };
}
