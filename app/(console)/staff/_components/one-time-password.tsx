"use client";

import { useState } from "react";

import { Button } from "@/components/ui/button";

// A generated password, shown once: it lives only in this component's state and is gone when dismissed.
export function OneTimePassword({ email, password }: { email: string; password: string }) {
  const [copied, setCopied] = useState(false);
  return (
    <div className="rounded-md border border-amber-300 bg-amber-50 p-3 text-sm text-amber-950" role="status">
      <p className="font-medium">One-time password for {email}</p>
      <p className="mt-1 text-xs">Copy it now and give it to them through a safe channel: it is not stored and will not be shown again. It works for 24 hours, and they must choose their own password at their first sign-in.</p>
      <div className="mt-2 flex flex-wrap items-center gap-2">
        <code className="select-all rounded bg-white px-2 py-1 font-mono text-sm ring-1 ring-amber-300" data-testid="one-time-password">
          {password}
        </code>
        <Button
          type="button"
          variant="secondary"
          onClick={() =>
            void navigator.clipboard.writeText(password).then(
              () => setCopied(true),
              () => setCopied(false),
            )
          }
        >
          {copied ? "Copied" : "Copy password"}
        </Button>
      </div>
    </div>
  );
}
