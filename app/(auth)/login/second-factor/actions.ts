"use server";

import { redirect } from "next/navigation";

import { safeCallbackPath } from "@/lib/auth/callback-path";
import { confirmEnrolmentFromForm, verifyCodeFromForm, type CodeFormState } from "@/lib/auth/second-factor-actions";

export async function confirmEnrolmentAction(_prev: CodeFormState, formData: FormData): Promise<CodeFormState> {
  return confirmEnrolmentFromForm(formData);
}

export async function verifySecondFactorAction(_prev: CodeFormState, formData: FormData): Promise<CodeFormState> {
  const result = await verifyCodeFromForm(formData);
  if (result.done) redirect(safeCallbackPath(formData instanceof FormData ? formData.get("callbackUrl") : null));
  return result;
}
