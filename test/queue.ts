// Test helper: wait until the job engine has finished every job of some queues (completed or failed for good).
import { unfinishedJobs } from "@/lib/queue/engine";

export async function settleQueues(names: readonly string[], timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while ((await unfinishedJobs(names)) > 0) {
    if (Date.now() > deadline) throw new Error(`jobs of ${names.join(", ")} still unfinished after ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
