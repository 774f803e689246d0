"use client";

import { useTransition } from "react";
import { usePathname, useRouter, useSearchParams } from "next/navigation";

/** List pages keep their filters in the URL: this writes changes there (resetting pagination) in a transition. */
export function useUrlParams(resetKeys: string[] = ["page", "before"]) {
  const router = useRouter();
  const pathname = usePathname();
  const params = useSearchParams();
  const [pending, startTransition] = useTransition();

  function update(changes: Record<string, string>) {
    const next = new URLSearchParams(params.toString());
    for (const [key, value] of Object.entries(changes)) {
      if (value) next.set(key, value);
      else next.delete(key);
    }
    for (const key of resetKeys) next.delete(key);
    startTransition(() => router.replace(`${pathname}${next.size ? `?${next}` : ""}`));
  }

  return { params, update, pending };
}
