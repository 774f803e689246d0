import type { NextConfig } from "next";

import { baselineSecurityHeaders } from "./lib/security/headers";

const nextConfig: NextConfig = {
  poweredByHeader: false,
  // Every response, also those the proxy (proxy.ts, which adds the nonce CSP) never sees or fails on.
  async headers() {
    const values = baselineSecurityHeaders({ nodeEnv: process.env.NODE_ENV });
    return [{ source: "/:path*", headers: Object.entries(values).map(([key, value]) => ({ key, value })) }];
  },
  // Native/wasm and worker-based packages must stay outside the server bundle (PGlite fails at run time otherwise).
  serverExternalPackages: ["@electric-sql/pglite", "pino", "postgres"],
  experimental: {
    authInterrupts: true, // forbidden() → app/forbidden.tsx with HTTP 403
  },
  // `npm test` type-checks the whole repository with tsc first; the build does not repeat it.
  typescript: { ignoreBuildErrors: true },
};

export default nextConfig;
