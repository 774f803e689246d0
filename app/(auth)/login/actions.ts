"use server";

import { AuthError, CredentialsSignin } from "next-auth";

import { signIn } from "@/lib/auth/config";
import { safeCallbackPath } from "@/lib/auth/callback-path";
import { secondFactorPath } from "@/lib/auth/guard";

export interface SignInState {
  message: string | null;
}

export async function signInAction(_prev: SignInState, formData: FormData): Promise<SignInState> {
  const email = formData.get("email");
  const password = formData.get("password");
  if (typeof email !== "string" || typeof password !== "string" || !email || !password) {
    return { message: "Enter your e-mail and password." };
  }
  try {
    await signIn("credentials", {
      email,
      password,
      // Through the second-factor page: it asks for a code (or enrolment) when owed, else sends straight on.
      redirectTo: secondFactorPath(safeCallbackPath(formData.get("callbackUrl"))),
    });
    return { message: null };
  } catch (e) {
    // signIn redirects by throwing; only Auth.js errors are ours to turn into a message.
    if (e instanceof CredentialsSignin && e.code === "throttled") {
      return { message: "Too many failed attempts. Wait 15 minutes and try again." };
    }
    if (e instanceof AuthError) return { message: "That e-mail and password do not match an active account." };
    throw e;
  }
}
