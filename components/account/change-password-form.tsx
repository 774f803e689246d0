"use client";

import { useRouter } from "next/navigation";
import { useRef, useState, useTransition } from "react";

import { Button } from "@/components/ui/button";
import type { ActionResult } from "@/lib/actions/result";

const input = "mt-1 block w-full rounded-md border border-slate-300 px-3 py-2 text-sm focus:border-sky-600 focus:outline-none aria-[invalid=true]:border-red-500";

type ChangePassword = (input: unknown) => Promise<ActionResult<{ sessionsEnded: number }>>;

/** Current password + new password twice. The server checks everything (strength with zxcvbn-ts included). */
export function ChangePasswordForm({ action, continueHref }: { action: ChangePassword; continueHref?: string }) {
  const router = useRouter();
  const form = useRef<HTMLFormElement>(null);
  const [pending, startTransition] = useTransition();
  const [result, setResult] = useState<ActionResult<{ sessionsEnded: number }> | null>(null);
  const errors = result && !result.ok ? (result.fieldErrors ?? {}) : {};

  function submit(data: FormData) {
    const payload = {
      currentPassword: data.get("currentPassword"),
      newPassword: data.get("newPassword"),
      confirmPassword: data.get("confirmPassword"),
    };
    startTransition(async () => {
      const r = await action(payload);
      setResult(r);
      if (r.ok) {
        form.current?.reset();
        if (continueHref) router.push(continueHref);
      }
    });
  }

  const field = (name: string, label: string, autoComplete: string) => (
    <div>
      <label htmlFor={`password-${name}`} className="block text-sm font-medium text-slate-700">
        {label}
      </label>
      <input
        id={`password-${name}`}
        name={name}
        type="password"
        required
        maxLength={1024}
        autoComplete={autoComplete}
        className={input}
        aria-invalid={!!errors[name]}
        aria-describedby={`password-${name}-error`}
      />
      <p id={`password-${name}-error`} className="mt-1 min-h-4 text-xs text-red-700" aria-live="polite">
        {errors[name]?.join("; ")}
      </p>
    </div>
  );

  return (
    <form ref={form} action={submit} aria-label="Change password" className="space-y-1">
      {field("currentPassword", "Current password", "current-password")}
      {field("newPassword", "New password (at least 12 characters, hard to guess)", "new-password")}
      {field("confirmPassword", "New password again", "new-password")}
      <p role="status" aria-live="polite" data-testid="change-password-result" className={`min-h-5 text-sm ${result?.ok ? "text-emerald-800" : "text-red-700"}`}>
        {result?.message}
      </p>
      <Button type="submit" disabled={pending}>
        {pending ? "Changing…" : "Change password"}
      </Button>
    </form>
  );
}
