// The closing lines of `npm start`: what a newcomer needs to get in. The demo accounts exist in sandbox mode only;
// a DEMO_PASSWORD the operator chose is named, never printed. They are listed only when the output is a terminal:
// piped or redirected, it is a log, and logs hold no e-mail address (e2e/leaks.spec.ts checks the server's).
import { demoAccounts } from "@/lib/staff/demo";

export interface BannerInput {
  url: string;
  mode: "live" | "sandbox";
  database: string;
  /** Whether DEMO_PASSWORD was set (otherwise the demo password is the default, demo-password). */
  demoPasswordSet: boolean;
  /** Whether the output is a terminal (a person reading) rather than a pipe or file (a log). */
  terminal: boolean;
}

export function startupBanner({ url, mode, database, demoPasswordSet, terminal }: BannerInput): string {
  const lines = [`Console ready on ${url} (${mode} mode, ${database})`];
  if (mode === "sandbox" && !terminal) {
    lines.push('Demo accounts: README.md, "Demo accounts" (listed here only when the output is a terminal).');
  } else if (mode === "sandbox") {
    lines.push(
      `Sign in with a demo account, password ${demoPasswordSet ? "the one in DEMO_PASSWORD" : "demo-password"}:`,
      ...demoAccounts.map((a) => `  ${a.email.padEnd(22)}${a.role}`),
      "The admin enrols an authenticator app at the first sign-in (QR code or key shown; `oathtool --totp -b <key>`",
      "works as one) and is then shown ten recovery codes once.",
    );
  } else {
    lines.push(
      "Sign in with a staff account; create the first admin with",
      "  npm run staff:create -- --email <your e-mail> --role admin",
    );
  }
  lines.push("Stop with Ctrl-C.");
  const rule = "-".repeat(Math.max(...lines.map((l) => l.length)));
  return [rule, ...lines, rule].join("\n");
}
