import path from "node:path";

// One state directory per console port, so several suites (or worktrees) can run side by side.
const port = process.env.E2E_PORT ?? "3100";
export const e2eStateDir = path.join(process.cwd(), "e2e", port === "3100" ? ".auth" : `.auth-${port}`);
export const sentinelFile = path.join(e2eStateDir, "build-sentinel.txt");
export const storageStateOf = (role: "admin" | "support" | "staff") => path.join(e2eStateDir, `${role}.json`);
/** Everything the console under test wrote to stdout/stderr during the run (scanned for secrets by leaks.spec). */
export const serverLogFile = path.join(e2eStateDir, "server.log");
/** The DATA_DIR the console under test uses (its development secrets live there in sandbox mode). */
export const dataDirFile = path.join(e2eStateDir, "data-dir.txt");
/** The fresh PostgreSQL database the console under test uses (CI, DATABASE_URL set); absent on PGlite. */
export const databaseUrlFile = path.join(e2eStateDir, "database-url.txt");
/** The single sign-on console's log (e2e/sso-server.ts). */
export const ssoLogFile = path.join(e2eStateDir, "server-sso.log");
/** The local OTLP/HTTP receiver e2e/serve.ts runs for the console's traces (its base URL; GET /spans lists them). */
export const otlpEndpointFile = path.join(e2eStateDir, "otlp-endpoint.txt");
