"use client";

import { useCallback, useState } from "react";

/** Up to two initials of a bank's name ("Commonwealth Bank" → "CB"); "?" when there is no name. */
export function initialsOf(name: string | null | undefined): string {
  const words = (name ?? "").replace(/[^\p{L}\p{N}\s]/gu, " ").split(/\s+/).filter(Boolean);
  if (words.length === 0) return "?";
  const letters = words.length === 1 ? words[0]!.slice(0, 2) : words[0]![0]! + words[1]![0]!;
  return letters.toUpperCase();
}

/**
 * A connector's logo from Basiq's CDN, with the bank's initials in its place when there is no logo or it cannot be
 * loaded. An image that failed before React hydrated never fires `onError` for React, so the ref also asks the
 * element on mount: a finished image whose `decode()` rejects is broken, and the fallback shows on a first load too.
 */
export function ConnectorLogo({ src, name }: { src: string | null; name?: string | null }) {
  const [failed, setFailed] = useState(false);
  const checkLoaded = useCallback((img: HTMLImageElement | null) => {
    if (img?.complete) img.decode().catch(() => setFailed(true));
  }, []);
  if (!src || failed) {
    const initials = initialsOf(name);
    if (initials === "?") {
      // eslint-disable-next-line @next/next/no-img-element -- a static SVG from public/
      return <img src="/bank-fallback.svg" alt="" width={24} height={24} data-testid="connector-logo-fallback" className="h-6 w-6 shrink-0 rounded bg-slate-100 p-0.5" />;
    }
    return (
      <span
        aria-hidden
        data-testid="connector-logo-fallback"
        className="inline-flex h-6 w-6 shrink-0 items-center justify-center rounded bg-slate-200 text-[10px] font-semibold text-slate-600"
      >
        {initials}
      </span>
    );
  }
  return (
    // eslint-disable-next-line @next/next/no-img-element -- remote logos from Basiq, not worth an image pipeline
    <img ref={checkLoaded} src={src} alt="" width={24} height={24} className="h-6 w-6 shrink-0 rounded object-contain" onError={() => setFailed(true)} />
  );
}
