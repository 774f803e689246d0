import "server-only";

// next-auth (Auth.js v5) wiring: the credentials provider over our staff table. A sign-in creates a server-side
// session row (lib/auth/server-sessions.ts: 12 h absolute, 30 min idle, revocable); the JWT carries only that
// row's id and the staff id. The role and status are re-read from the database on every request
// (lib/auth/session.ts), so disabling or demoting someone takes effect on their next click.
import { headers } from "next/headers";
import { CredentialsSignin } from "@auth/core/errors";
import type { NextAuthConfig, User } from "next-auth";
import Credentials from "next-auth/providers/credentials";
import type { OIDCConfig } from "next-auth/providers";

import { metaFromHeaders } from "@/lib/audit/request-meta";
import { env } from "@/lib/env";
import { log } from "@/lib/log";
import { sessionCookieConfig } from "@/lib/security/cookies";

import { sameOriginPath } from "./callback-path";
import { resolveOidcSignIn, type OidcClaims } from "./oidc-sign-in";
import { createSession, SESSION_MAX_AGE_SECONDS } from "./server-sessions";
import { verifySignIn } from "./sign-in";

/** next-auth's id of the identity provider: the redirect URI is <AUTH_URL>/api/auth/callback/oidc. */
export const OIDC_PROVIDER_ID = "oidc";

/** Where a refused SSO sign-in lands: the login page says why (lib/auth/sso-messages.ts). */
export const SSO_REFUSED_PATH = "/login?sso=";

// The generic OIDC provider (issue 19): discovery from the issuer, the authorization code flow with PKCE, state
// and nonce all checked by next-auth; the ID token's signature, issuer, audience and expiry by oauth4webapi.
function oidcProvider(oidc: NonNullable<ReturnType<typeof env>["oidc"]>): OIDCConfig<OidcClaims> {
  return {
    id: OIDC_PROVIDER_ID,
    name: oidc.displayName,
    type: "oidc",
    issuer: oidc.issuer,
    clientId: oidc.clientId,
    clientSecret: oidc.clientSecret,
    checks: ["pkce", "state", "nonce"],
    authorization: { params: { scope: "openid email profile" } },
    // Only the subject: who this is in the console is decided by resolveOidcSignIn in the signIn callback.
    profile: (claims) => ({ id: claims.sub }),
  };
}

export { SESSION_MAX_AGE_SECONDS };

class ThrottledSignIn extends CredentialsSignin {
  code = "throttled";
}

class SsoOnlySignIn extends CredentialsSignin {
  code = "sso-only";
}

/** The whole next-auth configuration (lib/auth/config.ts hands it to NextAuth; tests to @auth/core's Auth). */
export function authConfig(): NextAuthConfig {
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
          const meta = metaFromHeaders(request.headers);
          const result = await verifySignIn(credentials, meta);
          if (result.ok) return { id: result.staffId, sessionId: await createSession(result.staffId, meta) } as User;
          if (result.reason === "throttled") throw new ThrottledSignIn();
          if (result.reason === "sso-only") throw new SsoOnlySignIn();
          return null;
        },
      }),
      ...(e.oidc ? [oidcProvider(e.oidc)] : []),
    ],
    callbacks: {
      // OIDC only (credentials decided in authorize): the verified ID token's claims decide who this is (staff row
      // linked to issuer + sub, role mapping, waiting rows), and a server-side session is created as for a
      // password. next-auth passes this `user` object on to the jwt callback below.
      async signIn({ user, account, profile }) {
        if (account?.provider !== OIDC_PROVIDER_ID) return true;
        const meta = metaFromHeaders(await headers());
        const result = await resolveOidcSignIn(profile as OidcClaims, meta);
        if (!result.ok) return `${SSO_REFUSED_PATH}${result.reason}`;
        user.id = result.staffId;
        (user as { sessionId?: string }).sessionId = await createSession(result.staffId, meta, undefined, {
          secondFactorDone: result.secondFactorByIdp,
        });
        return true;
      },
      // Every redirect next-auth makes (redirectTo of signIn/signOut, callbackUrl): a parsed same-origin URL
      // rebuilt from its parts, else the root (lib/auth/callback-path.ts; issue 14 item 1).
      redirect({ url, baseUrl }) {
        return sameOriginPath(url, baseUrl);
      },
      jwt({ token, user }) {
        if (user?.id) {
          token.sub = user.id;
          token.sid = (user as { sessionId?: string }).sessionId;
        }
        return token;
      },
      // What /api/auth/session shows a browser: the staff id only (not the session id; lib/auth/identity.ts reads
      // the cookie itself).
      session({ session, token }) {
        return { ...session, user: { id: token.sub ?? "", email: "", name: "" } };
      },
    },
  };
}
