"use client";

import { useState, useTransition } from "react";

import { Button } from "@/components/ui/button";
import { useToast } from "@/components/ui/toast";

import { resetStaffSecondFactorAction } from "../actions";
import { ConfirmDialog } from "./confirm-dialog";

/** Remove someone's second factor (lost phone): audited; their sessions end and they set it up again at sign-in. */
export function ResetSecondFactorControl({ staffId, email, name }: { staffId: string; email: string; name: string }) {
  const toast = useToast();
  const [open, setOpen] = useState(false);
  const [pending, startTransition] = useTransition();

  function confirm() {
    startTransition(async () => {
      const r = await resetStaffSecondFactorAction({ staffId });
      toast(r.ok ? "success" : "error", r.message ?? "Done.");
      setOpen(false);
    });
  }

  return (
    <>
      <Button type="button" variant="ghost" size="sm" aria-label={`Reset second factor of ${email}`} onClick={() => setOpen(true)}>
        Reset
      </Button>
      {open ? (
        <ConfirmDialog
          title={`Reset the second factor of ${name}?`}
          confirmLabel="Reset second factor"
          danger
          pending={pending}
          onConfirm={confirm}
          onClose={() => setOpen(false)}
        >
          <p>
            Their authenticator app and recovery codes stop working at once and every session they have open ends. At their next sign-in
            they set up a new authenticator ({"admins must; others may"}). Only do this once you are sure who asked.
          </p>
        </ConfirmDialog>
      ) : null}
    </>
  );
}
