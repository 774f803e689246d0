// The single sign-on console for e2e/sso.spec.ts (issue 19): a real OpenID provider (test/oidc/idp.ts, the
// oidc-provider package) and a second `next start` of the same production build, configured for it. Started by
// e2e/serve.ts after the build; its own port, sandbox port, data folder (or fresh PostgreSQL database) and log.
import { spawn, type ChildProcess } from "node:child_process";
import { createWriteStream, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";

import { startTestIdp } from "../test/oidc/idp";

import { ssoLogFile } from "./paths";

export const ssoPort = Number(process.env.E2E_SSO_PORT ?? 3110);
export const ssoSandboxPort = Number(process.env.E2E_SSO_SANDBOX_PORT ?? 4120);
export const oidcPort = Number(process.env.E2E_OIDC_PORT ?? 4310);
export const ssoBaseURL = `http://localhost:${ssoPort}`;
export const oidcIssuer = `http://127.0.0.1:${oidcPort}`;
export const OIDC_DISPLAY_NAME = "Test IdP";

/** The provider's test users: groups map to roles through OIDC_ROLE_MAP below; amr is what their "login" reports. */
export const idpUsers = {
  ada: { email: "ada@corp.example", name: "Ada Admin", groups: ["basiq-admins"], amr: ["pwd", "otp"] },
  sol: { email: "sol@corp.example", name: "Sol Single-factor", groups: ["basiq-admins"], amr: ["pwd"] },
  sue: { email: "sue@corp.example", name: "Sue Support", groups: ["basiq-support"], amr: ["pwd"] },
  stan: { email: "stan@corp.example", name: "Stan Staff", groups: ["basiq-staff"], amr: ["pwd"] },
  una: { email: "una@corp.example", name: "Una Unmapped", groups: ["marketing"], amr: ["pwd"] },
  dee: { email: "dee@corp.example", name: "Dee Demoted", groups: ["basiq-admins", "basiq-staff"], amr: ["pwd", "otp"] },
};

export async function startSsoConsole(root: string, baseEnv: NodeJS.ProcessEnv, databaseUrl: string | undefined): Promise<ChildProcess> {
  await startTestIdp({
    port: oidcPort,
    clientId: "basiq-console-e2e",
    clientSecret: "e2e-client-secret-not-a-secret",
    redirectUris: [`${ssoBaseURL}/api/auth/callback/oidc`],
    users: structuredClone(idpUsers),
  });
  const env: NodeJS.ProcessEnv = {
    ...baseEnv,
    PORT: String(ssoPort),
    SANDBOX_PORT: String(ssoSandboxPort),
    DATA_DIR: mkdtempSync(path.join(tmpdir(), "basiq-console-e2e-sso-")),
    CONNECTOR_REFRESH_MINUTES: "0",
    OIDC_ISSUER: oidcIssuer,
    OIDC_CLIENT_ID: "basiq-console-e2e",
    OIDC_CLIENT_SECRET: "e2e-client-secret-not-a-secret",
    OIDC_DISPLAY_NAME,
    OIDC_ALLOWED_DOMAINS: "corp.example",
    OIDC_ROLE_CLAIM: "groups",
    OIDC_ROLE_MAP: "basiq-admins=admin,basiq-support=support,basiq-staff=staff",
    E2E_SKIP_BUILD: "1",
  };
  delete env.DATABASE_URL;
  if (databaseUrl) env.DATABASE_URL = databaseUrl;
  const child = spawn(path.join(root, "node_modules/.bin/tsx"), ["--conditions=react-server", "scripts/start.ts"], { stdio: ["ignore", "pipe", "pipe"], env });
  const log = createWriteStream(ssoLogFile);
  child.stdout?.pipe(log);
  child.stderr?.pipe(log);
  return child;
}
