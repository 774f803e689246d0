// Runs once when the Next.js server starts (not during `next build`).
export async function register(): Promise<void> {
  if (process.env.NEXT_RUNTIME !== "nodejs") return;
  // First: the socket address of every request, for the client IP (lib/security/client-ip.ts).
  const { installPeerAddressHeader } = await import("./lib/security/peer-address");
  installPeerAddressHeader();
  const { startServerLifecycle } = await import("./lib/server-lifecycle");
  await startServerLifecycle();
  // Traces (OTLP when OTEL_EXPORTER_OTLP_ENDPOINT is set) and the HTTP duration metric.
  const { env } = await import("./lib/env");
  const { startTelemetry } = await import("./lib/observability/otel");
  await startTelemetry(env().otlpEndpoint);
}
