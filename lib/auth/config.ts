import "server-only";

// next-auth (Auth.js v5) wiring: the credentials provider over our staff table, JWT sessions of at most 12 hours.
// The JWT carries only the staff id and the sign-in time; the role and status are re-read from the database on
// every request (lib/auth/session.ts), so disabling or demoting someone takes effect on their next click.
import NextAuth, { CredentialsSignin, type NextAuthConfig } from "next-auth";
import Credentials from "next-auth/providers/credentials";

import { metaFromHeaders } from "@/lib/audit/request-meta";
import { env } from "@/lib/env";
import { log } from "@/lib/log";
import { sessionCookieConfig } from "@/lib/security/cookies";

import { verifySignIn } from "./sign-in";

export const SESSION_MAX_AGE_SECONDS = 12 * 60 * 60;

class ThrottledSignIn extends CredentialsSignin {
  code = "throttled";
}

function config(): NextAuthConfig {
  const e = env();
  return {
    secret: e.authSecret,
    trustHost: true,
    session: { strategy: "jwt", maxAge: SESSION_MAX_AGE_SECONDS },
    pages: { signIn: "/login", error: "/login" },
    ...sessionCookieConfig(process.env.AUTH_URL), // HttpOnly, SameSite=Lax, Path=/, Secure over https
    logger: {
      error: (error) => log.warn({ err: { name: error.name, type: (error as { type?: string }).type } }, "auth error"),
      warn: (code) => log.warn({ code }, "auth warning"),
      debug: () => {},
    },
    providers: [
      Credentials({
        credentials: { email: { label: "Email", type: "email" }, password: { label: "Password", type: "password" } },
        async authorize(credentials, request) {
          const result = await verifySignIn(credentials, metaFromHeaders(request.headers));
          if (result.ok) return { id: result.staffId };
          if (result.reason === "throttled") throw new ThrottledSignIn();
          return null;
        },
      }),
    ],
    callbacks: {
      jwt({ token, user }) {
        if (user?.id) {
          token.sub = user.id;
          token.signedInAt = Date.now();
        }
        const signedInAt = typeof token.signedInAt === "number" ? token.signedInAt : 0;
        if (Date.now() - signedInAt > SESSION_MAX_AGE_SECONDS * 1000) return null; // absolute lifetime
        return token;
      },
      session({ session, token }) {
        return {
          ...session,
          user: { id: token.sub ?? "", email: "", name: "" },
          signedInAt: typeof token.signedInAt === "number" ? token.signedInAt : 0,
        };
      },
    },
  };
}

export const { handlers, auth, signIn, signOut } = NextAuth(() => config());
