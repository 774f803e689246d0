// npm run staff:create -- --email a@b.c --role admin [--name "Ada Admin"] [--password-stdin]
// Creates a staff account. Without --password-stdin a strong password is generated and printed once.
import path from "node:path";
import { parseArgs } from "node:util";

import { generatePassword } from "@/lib/auth/password";
import { openDatabase } from "@/lib/db/client";
import { migratePglite, migratePostgres } from "@/lib/db/migrate";
import { ConfigError, loadEnv } from "@/lib/env";
import { createStaff, newStaffSchema } from "@/lib/staff/accounts";

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString("utf8").trim();
}

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: {
      email: { type: "string" },
      role: { type: "string" },
      name: { type: "string" },
      "password-stdin": { type: "boolean", default: false },
    },
  });
  const e = loadEnv();
  const password = values["password-stdin"] ? await readStdin() : generatePassword();
  const parsed = newStaffSchema.safeParse({
    email: values.email,
    role: values.role,
    name: values.name ?? values.email?.split("@")[0] ?? "",
    password,
  });
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    console.error(`error: --${String(issue.path[0])} ${issue.message}`);
    console.error('usage: npm run staff:create -- --email a@b.c --role staff|support|admin [--name "Full Name"] [--password-stdin]');
    return 2;
  }
  if (e.databaseUrl) await migratePostgres(e.databaseMigrationUrl ?? e.databaseUrl, { runtimeUrl: e.databaseUrl });
  const opened = await openDatabase({ databaseUrl: e.databaseUrl, pgliteDir: path.join(e.dataDir, "pglite") });
  try {
    if (opened.kind === "pglite") await migratePglite(opened.db);
    await createStaff(opened.db, parsed.data, { oneTime: !values["password-stdin"] });
  } finally {
    await opened.close();
  }
  console.log(`Created ${parsed.data.role} account ${parsed.data.email}.`);
  if (!values["password-stdin"]) {
    console.log(`One-time password (shown once; it expires in 24 hours and must be changed at the first sign-in): ${password}`);
  }
  return 0;
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    console.error(`error: ${err instanceof ConfigError || err instanceof Error ? err.message : String(err)}`);
    process.exit(1);
  },
);
