"use client";

import { useState, useTransition } from "react";

import { Button } from "@/components/ui/button";
import { useToast } from "@/components/ui/toast";

import { setWatchAction } from "@/app/(console)/alerts/actions";

/** "Watch" a user or one connection: its failed jobs raise the "watched job failed" alert rules. */
export function WatchButton({ userId, connectionId, watched }: { userId: string; connectionId?: string; watched: boolean }) {
  const toast = useToast();
  const [on, setOn] = useState(watched);
  const [pending, startTransition] = useTransition();
  const what = connectionId ? "connection" : "user";
  return (
    <Button
      type="button"
      variant="secondary"
      disabled={pending}
      aria-pressed={on}
      title={on ? `Failed jobs of this ${what} raise an alert` : `Raise an alert when a job of this ${what} fails`}
      onClick={() =>
        startTransition(async () => {
          const r = await setWatchAction({ userId, ...(connectionId ? { connectionId } : {}), watch: !on });
          toast(r.ok ? "success" : "error", r.message ?? "Saved.");
          if (r.ok) setOn(r.data);
        })
      }
    >
      {on ? `Watching this ${what}` : `Watch this ${what}`}
    </Button>
  );
}
