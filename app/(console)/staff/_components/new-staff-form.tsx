"use client";

import { useRef, useState, useTransition } from "react";

import { Button } from "@/components/ui/button";
import { useToast } from "@/components/ui/toast";
import type { ActionResult } from "@/lib/actions/result";

import { createStaffAction, type CreatedStaff } from "../actions";
import { OneTimePassword } from "./one-time-password";

const input = "mt-1 block w-full rounded-md border border-slate-300 px-3 py-2 text-sm focus:border-sky-600 focus:outline-none aria-[invalid=true]:border-red-500";

function FieldError({ id, errors }: { id: string; errors: string[] | undefined }) {
  return (
    <p id={id} className="mt-1 min-h-4 text-xs text-red-700" aria-live="polite">
      {errors?.join("; ")}
    </p>
  );
}

/** "New staff member": name, e-mail, role, and either a generated one-time password (shown once) or a typed one. */
export function NewStaffForm({ roles }: { roles: readonly string[] }) {
  const toast = useToast();
  const form = useRef<HTMLFormElement>(null);
  const [pending, startTransition] = useTransition();
  const [typePassword, setTypePassword] = useState(false);
  const [result, setResult] = useState<ActionResult<CreatedStaff> | null>(null);
  const errors = result && !result.ok ? (result.fieldErrors ?? {}) : {};

  function submit(data: FormData) {
    const payload = {
      name: data.get("name"),
      email: data.get("email"),
      role: data.get("role"),
      password: typePassword ? data.get("password") : "",
    };
    startTransition(async () => {
      const r = await createStaffAction(payload);
      setResult(r);
      toast(r.ok ? "success" : "error", r.message ?? (r.ok ? "Created." : "Not created."));
      if (r.ok) {
        form.current?.reset();
        setTypePassword(false);
      }
    });
  }

  const describe = (field: string) => ({ "aria-invalid": !!errors[field], "aria-describedby": `new-staff-${field}-error` });

  return (
    <div className="space-y-4">
      {result?.ok ? (
        result.data.oneTimePassword ? (
          <div className="space-y-2">
            <OneTimePassword email={result.data.staff.email} password={result.data.oneTimePassword} />
            <Button type="button" variant="ghost" onClick={() => setResult(null)}>
              Done, hide the password
            </Button>
          </div>
        ) : (
          <p role="status" className="text-sm text-emerald-800">
            {result.message} Give them the password you set through a safe channel.
          </p>
        )
      ) : null}
      <form
        ref={form}
        noValidate
        aria-label="New staff member"
        className="grid gap-x-4 gap-y-1 sm:grid-cols-2 lg:grid-cols-4"
        onSubmit={(e) => {
          e.preventDefault();
          submit(new FormData(e.currentTarget));
        }}
      >
        <div>
          <label htmlFor="new-staff-name" className="block text-sm font-medium text-slate-700">
            Name
          </label>
          <input id="new-staff-name" name="name" required maxLength={120} autoComplete="off" className={input} {...describe("name")} />
          <FieldError id="new-staff-name-error" errors={errors.name} />
        </div>
        <div>
          <label htmlFor="new-staff-email" className="block text-sm font-medium text-slate-700">
            E-mail
          </label>
          <input id="new-staff-email" name="email" type="email" required maxLength={254} autoComplete="off" className={input} {...describe("email")} />
          <FieldError id="new-staff-email-error" errors={errors.email} />
        </div>
        <div>
          <label htmlFor="new-staff-role" className="block text-sm font-medium text-slate-700">
            Role
          </label>
          <select id="new-staff-role" name="role" defaultValue="staff" className={input} {...describe("role")}>
            {roles.map((r) => (
              <option key={r} value={r}>
                {r}
              </option>
            ))}
          </select>
          <FieldError id="new-staff-role-error" errors={errors.role} />
        </div>
        <fieldset>
          <legend className="block text-sm font-medium text-slate-700">Password</legend>
          <div className="mt-1 space-y-1 text-sm">
            <label className="flex items-center gap-2">
              <input type="radio" name="passwordMode" checked={!typePassword} onChange={() => setTypePassword(false)} />
              Generate a one-time password
            </label>
            <label className="flex items-center gap-2">
              <input type="radio" name="passwordMode" checked={typePassword} onChange={() => setTypePassword(true)} />
              Set one myself
            </label>
          </div>
          {typePassword ? (
            <>
              <label htmlFor="new-staff-password" className="sr-only">
                Password (at least 12 characters)
              </label>
              <input
                id="new-staff-password"
                name="password"
                type="password"
                autoComplete="new-password"
                minLength={12}
                maxLength={1024}
                placeholder="At least 12 characters"
                className={input}
                {...describe("password")}
              />
            </>
          ) : null}
          <FieldError id="new-staff-password-error" errors={errors.password} />
        </fieldset>
        <div className="flex items-center gap-3 sm:col-span-2 lg:col-span-4">
          <Button type="submit" disabled={pending}>
            {pending ? "Creating…" : "Create staff member"}
          </Button>
          {result && !result.ok ? (
            <p role="alert" className="text-sm text-red-700">
              {result.message}
            </p>
          ) : null}
        </div>
      </form>
    </div>
  );
}
