import type { Metadata } from "next";
import { redirect } from "next/navigation";

import { ChangePasswordForm } from "@/components/account/change-password-form";
import { SECOND_FACTOR_PATH } from "@/lib/auth/guard";
import { getSessionState } from "@/lib/auth/session";

import { changePasswordAction } from "@/app/(console)/account/actions";
import { signOutAction } from "@/app/(console)/sign-out-action";

export const metadata: Metadata = { title: "Choose a new password" };

// After signing in with a generated one-time password (and the second factor): choose one's own password before
// anything else. Every other page, action and route refuses such a session on the server (lib/auth/session.ts).
export default async function ChangePasswordPage() {
  const state = await getSessionState();
  if (state.status === "anonymous") redirect("/login");
  if (state.status === "second-factor") redirect(SECOND_FACTOR_PATH);
  if (state.status === "complete") redirect("/account");
  return (
    <main className="flex min-h-screen items-center justify-center px-4 py-8">
      <div className="w-full max-w-md rounded-lg border border-slate-200 bg-white p-6 shadow-sm">
        <h1 className="text-lg font-semibold">Choose a new password</h1>
        <p className="mb-4 mt-2 text-sm text-slate-600">
          You signed in to <strong>{state.staff.email}</strong> with a one-time password. Choose your own password to continue; the
          one-time password stops working.
        </p>
        <ChangePasswordForm action={changePasswordAction} continueHref="/" />
        <form action={signOutAction} className="mt-6 border-t border-slate-200 pt-3 text-right">
          <button type="submit" className="text-sm text-slate-600 underline-offset-2 hover:underline">
            Sign out
          </button>
        </form>
      </div>
    </main>
  );
}
