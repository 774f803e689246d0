"use client";

import { useActionState, useEffect, useState } from "react";

import { Button } from "@/components/ui/button";
import type { InvitationView } from "@/lib/invitations";

import { ssoSignInAction } from "../login/actions";
import { acceptInvitationAction, viewInvitationAction, type AcceptState } from "./actions";

export function InvitationForm() {
  const [token, setToken] = useState<string | null>(null);
  const [view, setView] = useState<InvitationView | null | "loading">("loading");
  const [state, formAction, pending] = useActionState<AcceptState, FormData>(acceptInvitationAction, { message: null });

  useEffect(() => {
    const t = window.location.hash.slice(1);
    // Out of the address bar at once (history, screenshots); kept in memory for the form.
    window.history.replaceState(null, "", window.location.pathname);
    viewInvitationAction(t).then(
      (v) => {
        setToken(t);
        setView(v);
      },
      () => setView(null),
    );
  }, []);

  if (view === "loading") return <p className="mt-4 text-sm text-slate-600">Checking your invitation…</p>;
  if (!view || !token) {
    return (
      <p className="mt-4 text-sm text-red-700" data-testid="invitation-invalid">
        This invitation link has expired or was already used. Ask an administrator for a new one.
      </p>
    );
  }
  return (
    <div className="mt-2 space-y-4">
      <p className="text-sm text-slate-600">
        You are invited as <strong>{view.role}</strong> with <strong data-testid="invitation-email">{view.email}</strong>.
      </p>
      {view.ssoName ? (
        <form action={ssoSignInAction}>
          <input type="hidden" name="callbackUrl" value="/" />
          <Button type="submit" className="w-full">
            Sign in with {view.ssoName}
          </Button>
        </form>
      ) : null}
      {view.passwordAllowed ? (
        <form action={formAction} className="space-y-4" noValidate>
          <input type="hidden" name="token" value={token} />
          <div>
            <label htmlFor="name" className="block text-sm font-medium text-slate-700">
              Your name
            </label>
            <input id="name" name="name" autoComplete="name" required className="mt-1 block w-full rounded-md border border-slate-300 px-3 py-2 text-sm" />
          </div>
          <div>
            <label htmlFor="password" className="block text-sm font-medium text-slate-700">
              Choose a password
            </label>
            <input
              id="password"
              name="password"
              type="password"
              autoComplete="new-password"
              required
              className="mt-1 block w-full rounded-md border border-slate-300 px-3 py-2 text-sm"
            />
            <p className="mt-1 text-xs text-slate-500">At least 12 characters. Admins then set up an authenticator app.</p>
          </div>
          <div aria-live="polite" className="min-h-5 text-sm text-red-700" data-testid="invitation-message">
            {state.message}
          </div>
          <Button type="submit" className="w-full" disabled={pending}>
            {pending ? "Setting up…" : "Set password and sign in"}
          </Button>
        </form>
      ) : null}
    </div>
  );
}
