import type { Metadata } from "next";
import { redirect } from "next/navigation";

import { authModeState } from "@/lib/auth/auth-mode";
import { safeCallbackPath } from "@/lib/auth/callback-path";
import { PASSWORD_CHANGE_PATH, secondFactorPath } from "@/lib/auth/guard";
import { getSessionState } from "@/lib/auth/session";
import { ssoRefusalMessage } from "@/lib/auth/sso-messages";
import { demoAccounts } from "@/lib/staff/demo";
import { env } from "@/lib/env";

import { SignInForm } from "./sign-in-form";
import { SsoButton } from "./sso-button";

export const metadata: Metadata = { title: "Sign in" };

export default async function LoginPage(props: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  const params = await props.searchParams;
  const callbackUrl = safeCallbackPath(params.callbackUrl);
  const state = await getSessionState();
  if (state.status === "complete") redirect(callbackUrl);
  if (state.status === "second-factor") redirect(secondFactorPath(callbackUrl));
  if (state.status === "password-change") redirect(PASSWORD_CHANGE_PATH);
  const oidc = env().oidc;
  const mode = await authModeState();
  // SSO-only mode: the identity provider's button only. The break-glass admin opens /login?break-glass=1.
  const showPassword = !mode.ssoOnly || params["break-glass"] === "1";
  const error =
    ssoRefusalMessage(params.sso) ??
    (params.code === "throttled"
      ? "Too many failed attempts. Wait 15 minutes and try again."
      : params.error === "CredentialsSignin"
        ? "That e-mail and password do not match an active account."
        : params.error
          ? "Sign-in could not be completed. Try again."
          : null);
  const sandbox = env().basiq.mode === "sandbox" && showPassword;
  return (
    <main id="main-content" tabIndex={-1} className="flex min-h-screen items-center justify-center px-4">
      <div className="w-full max-w-sm rounded-lg border border-slate-200 bg-white p-6 shadow-sm">
        <h1 className="text-lg font-semibold">Basiq console</h1>
        <p className="mt-1 text-sm text-slate-600">Sign in with your staff account.</p>
        <p className="mb-6 mt-1 text-xs text-slate-600" data-testid="admin-second-factor-note">
          Admins also need an authenticator app (such as Google Authenticator, 1Password or Authy) for a six-digit code.
        </p>
        {oidc ? <SsoButton name={oidc.displayName} callbackUrl={callbackUrl} /> : null}
        {oidc && showPassword ? <p className="my-4 text-center text-xs text-slate-500">or with a password</p> : null}
        {showPassword ? (
          <SignInForm callbackUrl={callbackUrl} initialError={error} />
        ) : (
          <div aria-live="polite" className="mt-4 min-h-5 text-sm text-red-700" data-testid="sign-in-error">
            {error}
          </div>
        )}
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
