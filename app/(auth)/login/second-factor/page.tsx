import type { Metadata } from "next";
import { redirect } from "next/navigation";

import { EnrolForm } from "@/components/second-factor/enrol-form";
import { VerifyForm } from "@/components/second-factor/verify-form";
import { safeCallbackPath } from "@/lib/auth/callback-path";
import { PASSWORD_CHANGE_PATH } from "@/lib/auth/guard";
import { qrSvg } from "@/lib/auth/qr";
import { startEnrolment } from "@/lib/auth/second-factor";
import { getSessionState } from "@/lib/auth/session";
import { formatKey } from "@/lib/auth/totp";

import { signOutAction } from "@/app/(console)/sign-out-action";
import { confirmEnrolmentAction, verifySecondFactorAction } from "./actions";

export const metadata: Metadata = { title: "Two-step verification" };

// After the password: set up the second factor (admins, on their first sign-in) or enter a code (anyone who has
// set one up). Sessions that do not owe a second factor are sent on; anonymous ones back to sign-in.
export default async function SecondFactorPage(props: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  const params = await props.searchParams;
  const callbackUrl = safeCallbackPath(params.callbackUrl);
  const state = await getSessionState();
  if (state.status === "anonymous") redirect("/login");
  if (state.status === "complete") redirect(callbackUrl);
  if (state.status === "password-change") redirect(PASSWORD_CHANGE_PATH);

  let body: React.ReactNode;
  if (state.need === "enrol") {
    const { secret, otpauthUri } = await startEnrolment(state.staff, state.staff.sessionId ?? "");
    const svg = await qrSvg(otpauthUri);
    body = (
      <>
        <p className="mb-4 text-sm text-slate-600">
          Admins need a second factor. Set up an authenticator app for <strong>{state.staff.email}</strong>; from now on you enter a code
          from it after your password.
        </p>
        <EnrolForm
          action={confirmEnrolmentAction}
          qr={<div role="img" aria-label="QR code of the authenticator key" className="h-48 w-48" dangerouslySetInnerHTML={{ __html: svg }} />}
          manualKey={formatKey(secret)}
          continueHref={callbackUrl}
        />
      </>
    );
  } else {
    body = (
      <>
        <p className="mb-4 text-sm text-slate-600">
          Enter the code from your authenticator app for <strong>{state.staff.email}</strong>.
        </p>
        <VerifyForm action={verifySecondFactorAction} callbackUrl={callbackUrl} />
      </>
    );
  }

  return (
    <main id="main-content" tabIndex={-1} className="flex min-h-screen items-center justify-center px-4 py-8">
      <div className="w-full max-w-md rounded-lg border border-slate-200 bg-white p-6 shadow-sm">
        <h1 className="text-lg font-semibold">{state.need === "enrol" ? "Set up two-step verification" : "Two-step verification"}</h1>
        <div className="mt-3">{body}</div>
        <form action={signOutAction} className="mt-6 border-t border-slate-200 pt-3 text-right">
          <button type="submit" className="text-sm text-slate-600 underline-offset-2 hover:underline">
            Sign out
          </button>
        </form>
      </div>
    </main>
  );
}
