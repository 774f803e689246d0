"use client";

import { useRouter } from "next/navigation";
import { useState, useTransition } from "react";

import { Button } from "@/components/ui/button";
import { useToast } from "@/components/ui/toast";

import { changeStaffRoleAction } from "../actions";

/** A staff member's role: pick one, then Save. The server refuses to demote the last active admin. */
export function RoleControl({
  staffId,
  email,
  role,
  roles,
  isSelf,
}: {
  staffId: string;
  email: string;
  /** Null: waiting for an administrator (created by a first SSO sign-in). */
  role: string | null;
  roles: readonly string[];
  isSelf: boolean;
}) {
  const toast = useToast();
  const router = useRouter();
  const [value, setValue] = useState(role ?? "");
  const [pending, startTransition] = useTransition();
  return (
    <div className="flex items-center gap-2">
      <select
        aria-label={`Role of ${email}`}
        value={value}
        disabled={pending}
        onChange={(e) => setValue(e.target.value)}
        className="rounded-md border border-slate-300 bg-white px-2 py-1.5 text-sm"
      >
        {role === null ? <option value="">waiting for a role</option> : null}
        {roles.map((r) => (
          <option key={r} value={r}>
            {r}
          </option>
        ))}
      </select>
      <Button
        type="button"
        variant="secondary"
        size="sm"
        aria-label={`Save role of ${email}`}
        disabled={pending || value === (role ?? "")}
        onClick={() =>
          startTransition(async () => {
            const r = await changeStaffRoleAction({ staffId, role: value });
            toast(r.ok ? "success" : "error", r.message ?? "Saved.");
            if (!r.ok) setValue(role ?? "");
            // Giving up your own admin role closes this page to you: go where you still may, and refresh so the
            // shell (navigation, role badge), which navigation alone keeps, is rendered again for the new role.
            else if (isSelf && value !== "admin") {
              router.replace("/");
              router.refresh();
            }
          })
        }
      >
        {pending ? "Saving…" : "Save"}
      </Button>
    </div>
  );
}
