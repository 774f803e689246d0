"use client";

import { useState } from "react";

/** A connector's logo from Basiq's CDN; hidden (not a broken-image icon) when it cannot be loaded. */
export function ConnectorLogo({ src }: { src: string | null }) {
  const [failed, setFailed] = useState(false);
  if (!src || failed) return <span aria-hidden className="inline-block h-6 w-6 shrink-0 rounded bg-slate-100" />;
  return (
    // eslint-disable-next-line @next/next/no-img-element -- remote logos from Basiq, not worth an image pipeline
    <img src={src} alt="" width={24} height={24} className="h-6 w-6 shrink-0 rounded object-contain" onError={() => setFailed(true)} />
  );
}
