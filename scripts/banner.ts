// The closing lines of `npm start`: what a newcomer needs to get in. The demo accounts exist in sandbox mode only;
// a DEMO_PASSWORD the operator chose is named, never printed.
import { demoAccounts } from "@/lib/staff/demo";

export interface BannerInput {
  url: string;
  mode: "live" | "sandbox";
  database: string;
  /** Whether DEMO_PASSWORD was set (otherwise the demo password is the default, demo-password). */
  demoPasswordSet: boolean;
}

export function startupBanner({ url, mode, database, demoPasswordSet }: BannerInput): string {
  const lines = [`Console ready on ${url} (${mode} mode, ${database})`];
  if (mode === "sandbox") {
    lines.push(
      `Sign in with a demo account, password ${demoPasswordSet ? "the one in DEMO_PASSWORD" : "demo-password"}:`,
      ...demoAccounts.map((a) => `  ${a.email.padEnd(22)}${a.role}`),
      "The admin enrols an authenticator app at the first sign-in (QR code or key shown; `oathtool --totp -b <key>`",
      "works as one) and is then shown ten recovery codes once.",
    );
  } else {
    lines.push(
      "Sign in with a staff account; create the first admin with",
      '  npm run staff:create -- --email you@example.com --role admin --name "Your Name"',
    );
  }
  lines.push("Stop with Ctrl-C.");
  const rule = "-".repeat(Math.max(...lines.map((l) => l.length)));
  return [rule, ...lines, rule].join("\n");
}
