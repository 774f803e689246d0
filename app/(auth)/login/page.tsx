import type { Metadata } from "next";
import { redirect } from "next/navigation";

import { safeCallbackPath } from "@/lib/auth/callback-path";
import { PASSWORD_CHANGE_PATH, secondFactorPath } from "@/lib/auth/guard";
import { getSessionState } from "@/lib/auth/session";
import { demoAccounts } from "@/lib/staff/demo";
import { env } from "@/lib/env";

import { SignInForm } from "./sign-in-form";

export const metadata: Metadata = { title: "Sign in" };

export default async function LoginPage(props: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  const params = await props.searchParams;
  const callbackUrl = safeCallbackPath(params.callbackUrl);
  const state = await getSessionState();
  if (state.status === "complete") redirect(callbackUrl);
  if (state.status === "second-factor") redirect(secondFactorPath(callbackUrl));
  if (state.status === "password-change") redirect(PASSWORD_CHANGE_PATH);
  const error =
    params.code === "throttled"
      ? "Too many failed attempts. Wait 15 minutes and try again."
      : params.error
        ? "That e-mail and password do not match an active account."
        : null;
  const sandbox = env().basiq.mode === "sandbox";
  return (
    <main id="main-content" tabIndex={-1} className="flex min-h-screen items-center justify-center px-4">
      <div className="w-full max-w-sm rounded-lg border border-slate-200 bg-white p-6 shadow-sm">
        <h1 className="text-lg font-semibold">Basiq console</h1>
        <p className="mt-1 text-sm text-slate-600">Sign in with your staff account.</p>
        <p className="mb-6 mt-1 text-xs text-slate-600" data-testid="admin-second-factor-note">
          Admins also need an authenticator app (such as Google Authenticator, 1Password or Authy) for a six-digit code.
        </p>
        <SignInForm callbackUrl={callbackUrl} initialError={error} />
        {sandbox ? (
          <div className="mt-6 rounded-md bg-slate-50 p-3 text-xs text-slate-600">
            <p className="font-semibold">Sandbox mode: demo accounts</p>
            <ul className="mt-1 space-y-0.5">
              {demoAccounts.map((a) => (
                <li key={a.email}>
                  <code>{a.email}</code> ({a.role})
                </li>
              ))}
            </ul>
            <p className="mt-1">
              Password:{" "}
              {env().demoPassword === "demo-password" ? <code>demo-password</code> : "the DEMO_PASSWORD setting"}
            </p>
          </div>
        ) : null}
      </div>
    </main>
  );
}
