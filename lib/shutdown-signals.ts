// Runs a clean shutdown once on the first SIGINT or SIGTERM, and keeps listening afterwards. Ctrl-C in a terminal
// sends SIGINT to the whole foreground process group (npm, tsx, scripts/start.ts, the Next server), and tsx and
// scripts/start.ts each pass it on to their child: the server gets two or three SIGINTs within milliseconds. With a
// one-shot listener the second one found none, Node's default action killed the process mid-shutdown, and the
// embedded PGlite directory was left open (which can hang the next start).
export type ShutdownSignal = "SIGINT" | "SIGTERM";

export function onShutdownSignal(shutdown: (signal: ShutdownSignal) => void, target: NodeJS.EventEmitter = process): void {
  let received: ShutdownSignal | null = null;
  const listener = (signal: ShutdownSignal) => {
    if (received) return; // already shutting down: a repeated signal must not interrupt it
    received = signal;
    shutdown(signal);
  };
  target.on("SIGINT", listener);
  target.on("SIGTERM", listener);
}
