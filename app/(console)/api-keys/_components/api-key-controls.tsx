"use client";

import { useRouter } from "next/navigation";
import { useState, useTransition } from "react";

import { Button } from "@/components/ui/button";
import { useToast } from "@/components/ui/toast";
import type { ActionResult } from "@/lib/actions/result";

type Create = (input: { name: string }) => Promise<ActionResult<{ key: string }>>;
type Revoke = (input: { id: string }) => Promise<ActionResult<unknown>>;

/** Name a new key; the key itself is shown once, here, and lives only in this component's state. */
export function NewApiKeyForm({ create }: { create: Create }) {
  const router = useRouter();
  const toast = useToast();
  const [name, setName] = useState("");
  const [key, setKey] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [copied, setCopied] = useState(false);
  const [pending, startTransition] = useTransition();
  return (
    <div className="space-y-3">
      <form
        className="flex flex-wrap items-end gap-2"
        onSubmit={(e) => {
          e.preventDefault();
          setError(null);
          startTransition(async () => {
            const r = await create({ name });
            if (r.ok) {
              setKey(r.data.key);
              setCopied(false);
              setName("");
              toast("success", r.message ?? "API key created.");
              router.refresh();
            } else {
              setError(r.message + (r.fieldErrors ? ` ${Object.values(r.fieldErrors).flat().join(" ")}` : ""));
            }
          });
        }}
      >
        <label className="text-sm">
          Name (who uses it, e.g. &quot;Partner app production&quot;)
          <input
            className="mt-1 block w-72 rounded-md border border-slate-300 bg-white px-3 py-2 text-sm"
            value={name}
            onChange={(e) => setName(e.target.value)}
            maxLength={80}
            required
          />
        </label>
        <Button type="submit" disabled={pending || name.trim().length < 3}>
          {pending ? "Creating…" : "Create API key"}
        </Button>
      </form>
      <p aria-live="polite" className="min-h-5 text-sm text-red-700">
        {error}
      </p>
      {key ? (
        <div className="rounded-md border border-amber-300 bg-amber-50 p-3 text-sm text-amber-950" role="status">
          <p className="font-medium">Your new API key</p>
          <p className="mt-1 text-xs">Copy it now into the partner back end&apos;s secret store: only its hash is kept, it will not be shown again.</p>
          <div className="mt-2 flex flex-wrap items-center gap-2">
            <code className="select-all break-all rounded bg-white px-2 py-1 font-mono text-xs ring-1 ring-amber-300" data-testid="new-api-key">
              {key}
            </code>
            <Button
              type="button"
              variant="secondary"
              onClick={() => void navigator.clipboard.writeText(key).then(() => setCopied(true), () => setCopied(false))}
            >
              {copied ? "Copied" : "Copy key"}
            </Button>
            <Button type="button" variant="secondary" onClick={() => setKey(null)}>
              Done
            </Button>
          </div>
        </div>
      ) : null}
    </div>
  );
}

export function RevokeApiKeyButton({ id, name, revoke }: { id: string; name: string; revoke: Revoke }) {
  const router = useRouter();
  const toast = useToast();
  const [pending, startTransition] = useTransition();
  return (
    <Button
      variant="danger"
      disabled={pending}
      onClick={() => {
        if (!window.confirm(`Revoke the API key "${name}"? Calls with it will get 401 at once.`)) return;
        startTransition(async () => {
          const r = await revoke({ id });
          toast(r.ok ? "success" : "error", r.message ?? (r.ok ? "Revoked." : "Could not revoke."));
          router.refresh();
        });
      }}
    >
      {pending ? "Revoking…" : "Revoke"}
    </Button>
  );
}
