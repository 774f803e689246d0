// Runs once when the Next.js server starts (not during `next build`).
export async function register(): Promise<void> {
  if (process.env.NEXT_RUNTIME !== "nodejs") return;
  const { startServerLifecycle } = await import("./lib/server-lifecycle");
  await startServerLifecycle();
}
