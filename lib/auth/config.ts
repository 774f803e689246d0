import "server-only";

// next-auth (Auth.js v5) wiring: the configuration is lib/auth/auth-config.ts (credentials and OIDC providers,
// server-side session rows); this module is the one NextAuth instance of the app.
import NextAuth from "next-auth";

import { authConfig, OIDC_PROVIDER_ID, SESSION_MAX_AGE_SECONDS, SSO_REFUSED_PATH } from "./auth-config";

export { OIDC_PROVIDER_ID, SESSION_MAX_AGE_SECONDS, SSO_REFUSED_PATH };

export const { handlers, auth, signIn, signOut } = NextAuth(() => authConfig());
