import "server-only";

// PGlite is single-process: nothing stops two processes from opening the same data directory and corrupting it.
// A small lock file with the owner's pid refuses a second opener with a clear message.
import { existsSync, readFileSync, rmSync, writeFileSync } from "node:fs";

export class DatabaseInUseError extends Error {
  constructor(pid: number) {
    super(
      `The embedded database is in use by process ${pid} (probably the running console). Stop it first, or set DATABASE_URL to use PostgreSQL.`,
    );
    this.name = "DatabaseInUseError";
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === "EPERM";
  }
}

export function acquireDirectoryLock(lockFile: string): () => void {
  if (existsSync(lockFile)) {
    const pid = Number(readFileSync(lockFile, "utf8").trim());
    if (Number.isInteger(pid) && pid > 0 && pid !== process.pid && alive(pid)) throw new DatabaseInUseError(pid);
  }
  writeFileSync(lockFile, String(process.pid));
  return () => {
    try {
      if (readFileSync(lockFile, "utf8").trim() === String(process.pid)) rmSync(lockFile);
    } catch {
      // already gone
    }
  };
}
