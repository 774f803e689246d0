import { Card, CardTitle } from "@/components/ui/card";
import { authModeState } from "@/lib/auth/auth-mode";
import { roles } from "@/lib/auth/policy";
import { env } from "@/lib/env";
import { listPendingInvitations } from "@/lib/invitations";

import { InviteForm } from "./invite-form";
import { SsoOnlySwitch } from "./sso-only-switch";

/** The Staff page's "Sign-in access" card: invitations and, with SSO configured, the SSO-only switch. */
export async function AccessCard() {
  const [mode, pending] = await Promise.all([authModeState(), listPendingInvitations()]);
  const e = env();
  return (
    <Card className="mb-6">
      <CardTitle>Invite someone</CardTitle>
      <p className="mb-3 text-sm text-slate-600">
        {e.oidc
          ? `They sign in with ${e.oidc.displayName}${mode.ssoOnly ? "" : " or set a password and an authenticator"} through a link that works once, for 72 hours.`
          : "They set their password (and an authenticator, for admins) through a link that works once, for 72 hours."}
      </p>
      <InviteForm roles={roles} mail={e.smtp !== undefined} />
      {pending.length > 0 ? (
        <ul className="mt-2 text-xs text-slate-600" data-testid="pending-invitations">
          {pending.map((p) => (
            <li key={p.id}>
              {p.email} ({p.role}), until {new Date(p.expiresAt).toUTCString()}
            </li>
          ))}
        </ul>
      ) : null}
      {mode.ssoConfigured ? (
        <div className="mt-4 border-t border-slate-200 pt-3">
          <SsoOnlySwitch on={mode.ssoOnly} fromEnv={mode.source === "env"} breakGlass={e.breakGlassAdmin ?? null} />
        </div>
      ) : null}
    </Card>
  );
}
