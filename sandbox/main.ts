// `npm run sandbox`: start the Basiq sandbox from SANDBOX_* variables and run until SIGINT/SIGTERM.
import { SandboxConfigError, loadSandboxConfig } from "./config";
import { startSandbox } from "./server";

async function main(): Promise<void> {
  const config = loadSandboxConfig();
  const sandbox = await startSandbox(config);
  console.log(`Basiq sandbox listening on ${sandbox.url} (${config.users} users)`);

  let stopping = false;
  const stop = () => {
    if (stopping) return;
    stopping = true;
    sandbox.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.on("SIGINT", stop);
  process.on("SIGTERM", stop);
}

main().catch((error: unknown) => {
  const message =
    error instanceof SandboxConfigError
      ? error.message
      : `Basiq sandbox failed to start: ${error instanceof Error ? error.message : String(error)}`;
  process.stderr.write(`${message}\n`);
  process.exit(1);
});
