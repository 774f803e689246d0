"use client";

import { useState, useTransition } from "react";

import { Button } from "@/components/ui/button";
import { useToast } from "@/components/ui/toast";

import { resetStaffPasswordAction } from "../actions";
import { ConfirmDialog } from "./confirm-dialog";
import { OneTimePassword } from "./one-time-password";

/** Replace an account's password with a generated one, shown once in the dialog after confirmation. */
export function ResetPasswordControl({ staffId, email, name }: { staffId: string; email: string; name: string }) {
  const toast = useToast();
  const [open, setOpen] = useState(false);
  const [password, setPassword] = useState<string | null>(null);
  const [pending, startTransition] = useTransition();

  function close() {
    setOpen(false);
    setPassword(null); // forget it
  }

  function confirm() {
    startTransition(async () => {
      const r = await resetStaffPasswordAction({ staffId });
      toast(r.ok ? "success" : "error", r.message ?? "Done.");
      if (r.ok && r.data.oneTimePassword) setPassword(r.data.oneTimePassword);
      else close();
    });
  }

  return (
    <>
      <Button type="button" variant="ghost" size="sm" aria-label={`Reset password of ${email}`} onClick={() => setOpen(true)}>
        Reset password
      </Button>
      {open ? (
        <ConfirmDialog
          title={`Reset the password of ${name}?`}
          confirmLabel="Reset password"
          danger
          pending={pending}
          onConfirm={confirm}
          onClose={close}
          footer={
            password ? (
              <Button type="button" onClick={close}>
                Done, hide the password
              </Button>
            ) : undefined
          }
        >
          {password ? (
            <OneTimePassword email={email} password={password} />
          ) : (
            <p>
              Their current password stops working at once, every session they have open ends, and a new one-time password is
              shown here, once. A sign-in lockout is lifted.
            </p>
          )}
        </ConfirmDialog>
      ) : null}
    </>
  );
}
