"use client";

// Toasts are sonner's (issue 18 item 10). useToast() keeps the console's one call shape, `toast(tone, message)`;
// toastPlan decides duration and the copy button (an error with a Basiq reference stays until dismissed).
import { useCallback } from "react";
import { toast as sonner, Toaster } from "sonner";

import { toastPlan, type ToastTone } from "./toast-options";

export function showToast(tone: ToastTone, message: string): void {
  const plan = toastPlan(tone, message);
  const options = {
    duration: plan.duration,
    closeButton: plan.closeButton,
    action: plan.copy
      ? {
          label: "Copy reference",
          onClick: (event: React.MouseEvent) => {
            event.preventDefault(); // keep the toast open: it is dismissed with its close button
            void navigator.clipboard?.writeText(plan.copy!).catch(() => {});
          },
        }
      : undefined,
  };
  // sonner's toasts carry no role of their own: an error is an alert, anything else a status, so assistive
  // technology announces them as such (and the e2e specs find them the way a person's screen reader would).
  const body = <span role={tone === "error" ? "alert" : "status"}>{message}</span>;
  if (tone === "error") sonner.error(body, options);
  else if (tone === "success") sonner.success(body, options);
  else sonner.info(body, options);
}

export function useToast() {
  return useCallback((tone: ToastTone, message: string) => showToast(tone, message), []);
}

export function ToastProvider({ children }: { children: React.ReactNode }) {
  return (
    <>
      {children}
      <Toaster position="bottom-right" richColors closeButton theme="system" containerAriaLabel="Notifications" />
    </>
  );
}
