"use client";

import { useTransition } from "react";
import { useRouter } from "next/navigation";

import { Button } from "@/components/ui/button";

// Re-renders the page, which fetches the user and connections from Basiq again and updates the directory.
export function RefreshUserButton() {
  const router = useRouter();
  const [pending, startTransition] = useTransition();
  return (
    <Button variant="secondary" disabled={pending} onClick={() => startTransition(() => router.refresh())}>
      {pending ? "Fetching from Basiq…" : "Refresh from Basiq"}
    </Button>
  );
}
