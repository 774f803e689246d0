"use client";

import { useRouter } from "next/navigation";
import { useTransition } from "react";

import { Button } from "@/components/ui/button";
import { useToast } from "@/components/ui/toast";

import { retryJobAction } from "../actions";

/** Puts a failed job back on its queue (admins; audited on the server). */
export function RetryButton({ queue, jobId }: { queue: string; jobId: string }) {
  const [pending, startTransition] = useTransition();
  const toast = useToast();
  const router = useRouter();
  return (
    <Button
      variant="secondary"
      disabled={pending}
      onClick={() =>
        startTransition(async () => {
          const r = await retryJobAction({ queue, jobId });
          toast(r.ok ? "info" : "error", r.ok ? (r.message ?? "Job queued again.") : r.message);
          if (r.ok) router.refresh();
        })
      }
    >
      Retry
    </Button>
  );
}
