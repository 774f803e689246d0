"use server";

import { redirect } from "next/navigation";

import { safeCallbackPath } from "@/lib/auth/callback-path";
import { isSameOriginRequest } from "@/lib/security/origin";
import { confirmEnrolmentFromForm, verifyCodeFromForm, type CodeFormState } from "@/lib/auth/second-factor-actions";

// Not defineActions (the session is not complete yet), so the same-origin rule is checked here (issue 14 item 5).
const ORIGIN_REFUSED: CodeFormState = { message: "This request did not come from the console itself (HTTP 403). Reload the page and try again." };
const sameOrigin = () => isSameOriginRequest().catch(() => false);

export async function confirmEnrolmentAction(_prev: CodeFormState, formData: FormData): Promise<CodeFormState> {
  if (!(await sameOrigin())) return ORIGIN_REFUSED;
  return confirmEnrolmentFromForm(formData);
}

export async function verifySecondFactorAction(_prev: CodeFormState, formData: FormData): Promise<CodeFormState> {
  if (!(await sameOrigin())) return ORIGIN_REFUSED;
  const result = await verifyCodeFromForm(formData);
  if (result.done) redirect(safeCallbackPath(formData instanceof FormData ? formData.get("callbackUrl") : null));
  return result;
}
