"use client";

import { useCallback, useState } from "react";

/** Up to two initials of a bank's name ("Commonwealth Bank" → "CB"); "?" when there is no name. */
export function initialsOf(name: string | null | undefined): string {
  const words = (name ?? "").replace(/[^\p{L}\p{N}\s]/gu, " ").split(/\s+/).filter(Boolean);
  if (words.length === 0) return "?";
  const letters = words.length === 1 ? words[0]!.slice(0, 2) : words[0]![0]! + words[1]![0]!;
  return letters.toUpperCase();
}

function Initials({ name }: { name?: string | null }) {
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

/**
 * A connector's logo from Basiq's CDN over the bank's initials. The server renders the initials with the image
 * still invisible, so every load — the first one, without JavaScript, or with a logo that never arrives — shows
 * the initials; the logo replaces them once the browser has it. An image that failed before React hydrated never
 * fires `onError` for React, so the ref also asks the element on mount (`decode()` rejects for a broken image).
 */
export function ConnectorLogo({ src, name }: { src: string | null; name?: string | null }) {
  const [state, setState] = useState<"loading" | "loaded" | "failed">("loading");
  const checkLoaded = useCallback((img: HTMLImageElement | null) => {
    if (!img?.complete) return;
    img.decode().then(
      () => setState(img.naturalWidth > 0 ? "loaded" : "failed"),
      () => setState("failed"),
    );
  }, []);
  if (!src || state === "failed") return <Initials name={name} />;
  return (
    <span className="relative inline-flex h-6 w-6 shrink-0">
      {state !== "loaded" ? <Initials name={name} /> : null}
      {/* eslint-disable-next-line @next/next/no-img-element -- remote logos from Basiq, not worth an image pipeline */}
      <img
        ref={checkLoaded}
        src={src}
        alt=""
        width={24}
        height={24}
        className={`absolute inset-0 h-6 w-6 rounded object-contain ${state === "loaded" ? "bg-white" : "opacity-0"}`}
        onLoad={() => setState("loaded")}
        onError={() => setState("failed")}
      />
    </span>
  );
}
