"use client";

import { useId } from "react";

import { Button } from "@/components/ui/button";

// A modal confirmation on the native <dialog>: the browser traps focus, Escape cancels, and the page behind is
// inert. Rendered only while open; the ref callback opens it as a modal on mount.
export function ConfirmDialog({
  title,
  children,
  confirmLabel,
  danger,
  pending,
  onConfirm,
  onClose,
  footer,
}: {
  title: string;
  children: React.ReactNode;
  confirmLabel: string;
  danger?: boolean;
  pending?: boolean;
  onConfirm: () => void;
  onClose: () => void;
  /** Replaces the confirm/cancel buttons (e.g. once the action has run and shows its result). */
  footer?: React.ReactNode;
}) {
  const titleId = useId();
  return (
    <dialog
      ref={(el) => {
        if (el && !el.open) el.showModal();
      }}
      aria-labelledby={titleId}
      onClose={onClose}
      onCancel={(e) => {
        if (pending) e.preventDefault(); // keep it open until the server answers
      }}
      className="m-auto w-full max-w-md rounded-lg border border-slate-200 p-0 shadow-xl backdrop:bg-slate-900/40"
    >
      <div className="space-y-3 p-5 text-sm text-slate-700">
        <h2 id={titleId} className="text-base font-semibold text-slate-900">
          {title}
        </h2>
        {children}
        <div className="flex justify-end gap-2 pt-2">
          {footer ?? (
            <>
              <Button variant="secondary" type="button" disabled={pending} onClick={onClose}>
                Cancel
              </Button>
              <Button variant={danger ? "danger" : "primary"} type="button" disabled={pending} onClick={onConfirm}>
                {pending ? "Working…" : confirmLabel}
              </Button>
            </>
          )}
        </div>
      </div>
    </dialog>
  );
}
