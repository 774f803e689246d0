import type { Metadata } from "next";
import Link from "next/link";

import { ChangePasswordForm } from "@/components/account/change-password-form";
import { Badge } from "@/components/ui/badge";
import { buttonClasses } from "@/components/ui/button";
import { Card, CardTitle } from "@/components/ui/card";
import { PageHeader } from "@/components/ui/page-header";
import { guardPage } from "@/lib/auth/guard";
import { secondFactorStatus } from "@/lib/auth/second-factor";
import { SESSION_ABSOLUTE_MS, SESSION_IDLE_MS } from "@/lib/auth/server-sessions";
import { When } from "@/components/ui/when";

import { changePasswordAction } from "./actions";

export const metadata: Metadata = { title: "Your account" };

// Anyone signed in: who they are, their session's limits and their second factor (optional unless admin).
export default async function AccountPage() {
  const me = await guardPage(undefined, "/account");
  const factor = await secondFactorStatus(me.id);
  return (
    <>
      <PageHeader title="Your account" description={`${me.name} · ${me.email}`} />
      <div className="grid gap-4 md:grid-cols-2">
        <Card>
          <CardTitle>Two-step verification</CardTitle>
          {factor.enrolled ? (
            <div className="space-y-2 text-sm text-slate-700" data-testid="second-factor-status">
              <p>
                <Badge tone="good">On</Badge> since <When value={factor.enrolledAt} />. Every sign-in asks for a code from your authenticator app.
              </p>
              <p>
                Recovery codes left: <strong>{factor.recoveryCodesLeft}</strong> of 10.{" "}
                {factor.recoveryCodesLeft <= 3 ? "Running low: ask an admin to reset your second factor and set it up again for new codes." : null}
              </p>
              <p className="text-xs text-slate-500">Lost your phone? An admin can reset your second factor from the Staff page.</p>
            </div>
          ) : (
            <div className="space-y-3 text-sm text-slate-700" data-testid="second-factor-status">
              <p>
                <Badge tone="neutral">Off</Badge>{" "}
                {me.role === "admin"
                  ? "Admins must use it." // not reachable: an admin without it never gets a complete session
                  : "Optional for your role. Once on, every sign-in asks for a code from an authenticator app."}
              </p>
              <Link href="/account/second-factor" className={buttonClasses("primary")}>
                Set up two-step verification
              </Link>
            </div>
          )}
        </Card>
        <Card>
          <CardTitle>Password</CardTitle>
          <p className="mb-3 text-sm text-slate-600">Changing it signs out your other sessions.</p>
          <ChangePasswordForm action={changePasswordAction} />
        </Card>
        <Card>
          <CardTitle>This session</CardTitle>
          <ul className="space-y-1 text-sm text-slate-700">
            <li>Signed in <When value={me.signedInAt} />.</li>
            <li>
              Ends {SESSION_ABSOLUTE_MS / 3_600_000} hours after sign-in, or after {SESSION_IDLE_MS / 60_000} minutes without a click,
              whichever comes first.
            </li>
            <li>Role: {me.role}.</li>
          </ul>
        </Card>
      </div>
    </>
  );
}
