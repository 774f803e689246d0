"use client";

import { useTransition } from "react";

import { Button } from "@/components/ui/button";
import { useToast } from "@/components/ui/toast";

import { setSsoOnlyAction } from "../access-actions";

/** SSO-only mode on the Staff page (audited). AUTH_MODE=sso in the environment cannot be switched off here. */
export function SsoOnlySwitch({ on, fromEnv, breakGlass }: { on: boolean; fromEnv: boolean; breakGlass: string | null }) {
  const toast = useToast();
  const [pending, startTransition] = useTransition();
  return (
    <div className="flex flex-wrap items-center gap-3 text-sm">
      <span data-testid="sso-only-state">
        SSO-only mode is <strong>{on ? "on" : "off"}</strong>
        {fromEnv ? " (AUTH_MODE=sso)" : ""}.{" "}
        {breakGlass ? (
          <>
            Break-glass admin: <code>{breakGlass}</code> (password + TOTP, at <code>/login?break-glass=1</code>).
          </>
        ) : (
          "No break-glass admin is configured (BREAK_GLASS_ADMIN)."
        )}
      </span>
      {fromEnv ? null : (
        <Button
          type="button"
          variant="secondary"
          disabled={pending}
          onClick={() =>
            startTransition(async () => {
              const r = await setSsoOnlyAction({ enabled: on ? "off" : "on" });
              toast(r.ok ? "success" : "error", r.message ?? "Saved.");
            })
          }
        >
          {on ? "Allow passwords again" : "Turn on SSO-only mode"}
        </Button>
      )}
    </div>
  );
}
