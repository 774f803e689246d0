"use client";

import { useRouter } from "next/navigation";
import { useState, useTransition } from "react";

import { Button } from "@/components/ui/button";
import { useToast } from "@/components/ui/toast";

import { setStaffStatusAction } from "../actions";
import { ConfirmDialog } from "./confirm-dialog";

/** Disable or enable an account, after a confirmation. */
export function StatusControl({
  staffId,
  email,
  name,
  status,
  isSelf,
}: {
  staffId: string;
  email: string;
  name: string;
  status: string;
  isSelf: boolean;
}) {
  const toast = useToast();
  const router = useRouter();
  const [open, setOpen] = useState(false);
  const [pending, startTransition] = useTransition();
  const disabling = status === "active";
  const verb = disabling ? "Disable" : "Enable";

  function confirm() {
    startTransition(async () => {
      const r = await setStaffStatusAction({ staffId, status: disabling ? "disabled" : "active" });
      toast(r.ok ? "success" : "error", r.message ?? "Saved.");
      setOpen(false);
      // Your own account disabled: your session has ended, and a refresh of the shell sends you to sign-in.
      if (r.ok && isSelf && disabling) {
        router.replace("/");
        router.refresh();
      }
    });
  }

  return (
    <>
      <Button type="button" variant={disabling ? "ghost" : "secondary"} size="sm" aria-label={`${verb} ${email}`} onClick={() => setOpen(true)}>
        {verb}
      </Button>
      {open ? (
        <ConfirmDialog
          title={`${verb} ${name}${isSelf ? " (your own account)" : ""}?`}
          confirmLabel={`${verb} account`}
          danger={disabling}
          pending={pending}
          onConfirm={confirm}
          onClose={() => setOpen(false)}
        >
          {disabling ? (
            <p>
              <strong>{email}</strong> will no longer be able to sign in, and any session they have open ends on their next
              click. You can enable the account again later.
            </p>
          ) : (
            <p>
              <strong>{email}</strong> will be able to sign in again with their current password, with the role shown in the
              table.
            </p>
          )}
        </ConfirmDialog>
      ) : null}
    </>
  );
}
