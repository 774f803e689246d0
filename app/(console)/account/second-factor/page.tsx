import type { Metadata } from "next";
import { redirect } from "next/navigation";

import { EnrolForm } from "@/components/second-factor/enrol-form";
import { Card } from "@/components/ui/card";
import { PageHeader } from "@/components/ui/page-header";
import { guardPage } from "@/lib/auth/guard";
import { qrSvg } from "@/lib/auth/qr";
import { isEnrolled, startEnrolment } from "@/lib/auth/second-factor";
import { formatKey } from "@/lib/auth/totp";

import { confirmEnrolmentAction } from "@/app/(auth)/login/second-factor/actions";

export const metadata: Metadata = { title: "Set up two-step verification" };

// Optional enrolment from the account page (staff and support). Once confirmed, every later sign-in asks for a code.
export default async function AccountSecondFactorPage() {
  const me = await guardPage(undefined, "/account/second-factor");
  if (await isEnrolled(me.id)) redirect("/account");
  const { secret, otpauthUri } = await startEnrolment(me, me.sessionId ?? "");
  const svg = await qrSvg(otpauthUri);
  return (
    <>
      <PageHeader title="Set up two-step verification" description="After your password, every sign-in will ask for a code from your authenticator app." />
      <Card className="max-w-xl">
        <EnrolForm
          action={confirmEnrolmentAction}
          qr={<div role="img" aria-label="QR code of the authenticator key" className="h-48 w-48" dangerouslySetInnerHTML={{ __html: svg }} />}
          manualKey={formatKey(secret)}
          continueHref="/account"
        />
      </Card>
    </>
  );
}
