"use client";

import { useRef, useState, useTransition } from "react";

import { Button } from "@/components/ui/button";
import { useToast } from "@/components/ui/toast";
import type { ActionResult } from "@/lib/actions/result";
import type { InvitationSent } from "@/lib/invitations";

import { inviteStaffAction } from "../access-actions";

const input = "mt-1 block w-full rounded-md border border-slate-300 px-3 py-2 text-sm focus:border-sky-600 focus:outline-none";

/** "Invite someone": e-mail and role. Without SMTP the link is shown here once (it is not stored in clear). */
export function InviteForm({ roles, mail }: { roles: readonly string[]; mail: boolean }) {
  const toast = useToast();
  const form = useRef<HTMLFormElement>(null);
  const [pending, startTransition] = useTransition();
  const [result, setResult] = useState<ActionResult<InvitationSent> | null>(null);
  const errors = result && !result.ok ? (result.fieldErrors ?? {}) : {};
  return (
    <div className="space-y-3">
      {result?.ok && result.data.link ? (
        <div className="rounded-md border border-amber-300 bg-amber-50 p-3 text-sm text-amber-950" role="status">
          <p className="font-medium">Invitation link for {result.data.email}</p>
          <p className="mt-1 text-xs">Copy it now and send it to them: it is shown only this once, works once, and expires in 72 hours.</p>
          <code className="mt-2 block select-all break-all rounded bg-white px-2 py-1 font-mono text-xs ring-1 ring-amber-300" data-testid="invitation-link">
            {result.data.link}
          </code>
          <Button type="button" variant="ghost" className="mt-2" onClick={() => setResult(null)}>
            Done, hide the link
          </Button>
        </div>
      ) : null}
      <form
        ref={form}
        noValidate
        aria-label="Invite someone"
        className="flex flex-wrap items-end gap-3"
        onSubmit={(e) => {
          e.preventDefault();
          const data = new FormData(e.currentTarget);
          startTransition(async () => {
            const r = await inviteStaffAction({ email: data.get("email"), role: data.get("role") });
            setResult(r);
            toast(r.ok ? "success" : "error", r.message ?? (r.ok ? "Invited." : "Not invited."));
            if (r.ok) form.current?.reset();
          });
        }}
      >
        <div className="min-w-64">
          <label htmlFor="invite-email" className="block text-sm font-medium text-slate-700">
            E-mail
          </label>
          <input id="invite-email" name="email" type="email" required className={input} aria-invalid={!!errors.email} />
          <p className="mt-1 min-h-4 text-xs text-red-700" aria-live="polite">
            {errors.email?.join("; ")}
          </p>
        </div>
        <div>
          <label htmlFor="invite-role" className="block text-sm font-medium text-slate-700">
            Role
          </label>
          <select id="invite-role" name="role" defaultValue="staff" className={input}>
            {roles.map((r) => (
              <option key={r} value={r}>
                {r}
              </option>
            ))}
          </select>
          <p className="mt-1 min-h-4 text-xs" />
        </div>
        <div className="pb-5">
          <Button type="submit" disabled={pending}>
            {pending ? "Inviting…" : mail ? "Send invitation" : "Create invitation link"}
          </Button>
        </div>
      </form>
    </div>
  );
}
